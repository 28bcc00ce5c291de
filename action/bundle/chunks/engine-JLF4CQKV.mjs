import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{i as a,j as b,k as c}from"./chunk-GKJQUYHY.mjs";import"./chunk-YYG4TJKY.mjs";import"./chunk-DHTFJ6W7.mjs";import"./chunk-KVGVZMYJ.mjs";export{a as MAX_FIX_PASSES,b as formatMessage,c as scan};
