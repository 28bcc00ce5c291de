import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as p,b as i}from"./chunk-MHZKCCPV.mjs";import{a as m}from"./chunk-YYG4TJKY.mjs";import"./chunk-DHTFJ6W7.mjs";import"./chunk-KVGVZMYJ.mjs";var{parseAllDocuments:u}=await m();function c(e){let s=p(e),r=i(e,s),o=u(r,{uniqueKeys:s.length===0,prettyErrors:!1}),t=Array.isArray(o)?o:[],a=[];for(let l of t)for(let n of l.errors)a.push({message:n.message.split(`
`)[0],offset:n.pos[0]});return{ast:{documents:t,directives:s,masked:r},errors:a}}var y={id:"yaml",lineComment:"#",parse:e=>c(e)},d={id:"json",lineComment:null,parse:e=>c(e)};export{d as jsonLanguage,y as yamlLanguage};
