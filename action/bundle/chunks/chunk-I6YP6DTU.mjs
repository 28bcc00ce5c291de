import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
var e;function p(t){e=t}function r(){if(!e)throw new Error("the TypeScript language is not loaded; TS rules run only on files it parsed");return e}var o={typeAware:process.env.SLICEFIX_TYPE_AWARE==="1"};function n(t){Object.assign(o,t)}export{p as a,r as b,o as c,n as d};
