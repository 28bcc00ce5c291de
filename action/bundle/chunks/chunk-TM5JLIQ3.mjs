import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
var u=/\{\{[\s\S]*?\}\}/g,d=/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;function p(e,i=!1){if(!e.includes("{{")&&!(i&&(e.includes("{%")||e.includes("{#"))))return[];let t=i?d:u,n=[];for(let r of e.matchAll(t)){let s=r.index,c=s+r[0].length,l=e.lastIndexOf(`
`,s-1)+1,o=e.indexOf(`
`,c);o===-1&&(o=e.length);let a=e.slice(l,s),f=e.slice(c,o),m=/^\s*$/.test(a.replace(t,""))&&/^\s*$/.test(f.replace(t,""));n.push({start:s,end:c,text:r[0],standalone:m})}return n}function D(e,i){if(i.length===0)return e;let t="",n=0;for(let r of i){t+=e.slice(n,r.start);let s="",c=!0;for(let l of r.text)l===`
`||l==="\r"?(s+=l,c=!0):r.standalone?(s+=c?"#":" ",c=!1):s+="_";t+=s,n=r.end}return t+e.slice(n)}function g(e,i,t){return e.directives.filter(n=>n.start<t&&n.end>i)}export{p as a,D as b,g as c};
