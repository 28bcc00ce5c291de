import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as m,b as o,c as e}from"./chunk-DHTFJ6W7.mjs";async function t(){return m?e(await import("./dist-YARZ4FPB.mjs")):o("yaml")}export{t as a};
