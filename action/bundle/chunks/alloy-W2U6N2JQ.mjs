import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a,b,c}from"./chunk-NFPWFO67.mjs";import"./chunk-KVGVZMYJ.mjs";export{c as alloyLanguage,a as parseAlloy,b as stringValue};
