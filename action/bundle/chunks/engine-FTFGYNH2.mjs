import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as f,b as g,c as h}from"./chunk-3IJZT2R2.mjs";import{l as a,m as b,n as c,q as d,r as e}from"./chunk-HANI3DXT.mjs";import"./chunk-IK35CMVP.mjs";import"./chunk-DHTFJ6W7.mjs";import"./chunk-2CD2F7GS.mjs";import"./chunk-6Q4V6YJW.mjs";import"./chunk-KVGVZMYJ.mjs";export{d as FactStore,b as MAX_FIX_PASSES,f as PARALLEL_MIN_FILES,e as ScanShard,a as emptyResult,c as formatMessage,h as scan,g as threadsFor};
