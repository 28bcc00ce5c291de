import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import"./chunk-KVGVZMYJ.mjs";function i(n){let t=[],e=0;for(;e<=n.length;){let r=n.indexOf(`
`,e),a=r===-1?n.length:r,s=a>e&&n[a-1]==="\r"?a-1:a;if(t.push({start:e,text:n.slice(e,s)}),r===-1)break;e=r+1}return t}function o(n,t){return{id:n,lineComment:t,parse:e=>({ast:{lines:i(e)},errors:[]})}}var g=o("shell","#"),l=o("makefile","#"),p=o("dockerfile","#"),u=o("markdown","<!--");export{p as dockerfileLanguage,l as makefileLanguage,u as markdownLanguage,g as shellLanguage,i as splitLines};
