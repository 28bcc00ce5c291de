import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a as f,b as g,c as h}from"./chunk-7YINKW7B.mjs";import{i as a,j as b,l as c,n as d,o as e}from"./chunk-55FCTUSL.mjs";import"./chunk-XSUID2HF.mjs";import"./chunk-DHTFJ6W7.mjs";import"./chunk-KVGVZMYJ.mjs";export{c as FactStore,a as MAX_FIX_PASSES,f as PARALLEL_MIN_FILES,e as ScanShard,d as emptyResult,b as formatMessage,h as scan,g as threadsFor};
