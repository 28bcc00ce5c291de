import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{createRequire as n}from"node:module";var c=!0,r=n(import.meta.url);function u(e){return e.default??e}function i(e,t){let o=t&&u(t);return()=>o??=r(e)}export{c as a,r as b,u as c,i as d};
