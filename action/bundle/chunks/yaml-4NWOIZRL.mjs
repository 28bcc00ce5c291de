import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as m,b as p}from"./chunk-MHZKCCPV.mjs";import{a as f}from"./chunk-DTA5IBIC.mjs";import{d as u}from"./chunk-KVGVZMYJ.mjs";var c=u(f(),1);function i(e){let s=m(e),r=p(e,s),o=(0,c.parseAllDocuments)(r,{uniqueKeys:s.length===0,prettyErrors:!1}),t=Array.isArray(o)?o:[],a=[];for(let l of t)for(let n of l.errors)a.push({message:n.message.split(`
`)[0],offset:n.pos[0]});return{ast:{documents:t,directives:s,masked:r},errors:a}}var d={id:"yaml",lineComment:"#",parse:e=>i(e)},y={id:"json",lineComment:null,parse:e=>i(e)};export{y as jsonLanguage,d as yamlLanguage};
