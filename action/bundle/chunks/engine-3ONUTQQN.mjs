import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as f,b as g,c as h}from"./chunk-XXRRQAIY.mjs";import{j as a,k as b,l as c,n as d,o as e}from"./chunk-WSJAIJEQ.mjs";import"./chunk-5JSV6MUW.mjs";import"./chunk-TDM3PKNI.mjs";import"./chunk-KVGVZMYJ.mjs";export{d as FactStore,b as MAX_FIX_PASSES,f as PARALLEL_MIN_FILES,e as ScanShard,a as emptyResult,c as formatMessage,h as scan,g as threadsFor};
