import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
var l=/\{\{[\s\S]*?\}\}/g;function m(e){if(!e.includes("{{"))return[];let s=[];for(let n of e.matchAll(l)){let t=n.index,r=t+n[0].length,c=e.lastIndexOf(`
`,t-1)+1,i=e.indexOf(`
`,r);i===-1&&(i=e.length);let o=e.slice(c,t),a=e.slice(r,i),f=/^\s*$/.test(o.replace(l,""))&&/^\s*$/.test(a.replace(l,""));s.push({start:t,end:r,text:n[0],standalone:f})}return s}function u(e,s){if(s.length===0)return e;let n="",t=0;for(let r of s){n+=e.slice(t,r.start);let c="",i=!0;for(let o of r.text)o===`
`||o==="\r"?(c+=o,i=!0):r.standalone?(c+=i?"#":" ",i=!1):c+="_";n+=c,t=r.end}return n+e.slice(t)}function d(e,s,n){return e.directives.filter(t=>t.start<n&&t.end>s)}export{m as a,u as b,d as c};
