import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
var o={typeAware:process.env.SLICEFIX_TYPE_AWARE==="1"};function p(t){Object.assign(o,t)}var e;function i(t){e=t}function n(){if(!e)throw new Error("the TypeScript language is not loaded; TS rules run only on files it parsed");return e}export{o as a,p as b,i as c,n as d};
