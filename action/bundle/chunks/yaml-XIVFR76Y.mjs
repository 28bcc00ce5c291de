import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as p,b as i}from"./chunk-TM5JLIQ3.mjs";import{a as l,d as c}from"./chunk-NYECIA54.mjs";import"./chunk-DHTFJ6W7.mjs";import"./chunk-KVGVZMYJ.mjs";var{parseAllDocuments:g}=await l();function u(e,s){let r=p(e,c(s)),t=i(e,r),o=g(t,{uniqueKeys:r.length===0,prettyErrors:!1}),a=Array.isArray(o)?o:[],n=[];for(let f of a)for(let m of f.errors)n.push({message:m.message.split(`
`)[0],offset:m.pos[0]});return{ast:{documents:a,directives:r,masked:t},errors:n}}var P={id:"yaml",lineComment:"#",parse:(e,s)=>u(e,s)},D={id:"json",lineComment:null,parse:(e,s)=>u(e,s)};export{D as jsonLanguage,P as yamlLanguage};
