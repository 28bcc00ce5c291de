import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
function r(e){let n=/^"((?:[^"\\\n]|\\.)*)"$|^`([^`]*)`$/.exec(e);if(n)return n[2]??n[1].replace(/\\(.)/g,"$1")}export{r as a};
