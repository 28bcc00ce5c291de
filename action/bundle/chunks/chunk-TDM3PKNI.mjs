import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
function c(e,o){for(let t of o)e.push(t);return e}import{createRequire as n}from"node:module";var s=!0,r=n(import.meta.url);function u(e){return e.default??e}function T(e,o){let t=o&&u(o);return()=>t??=r(e)}export{c as a,s as b,r as c,u as d,T as e};
