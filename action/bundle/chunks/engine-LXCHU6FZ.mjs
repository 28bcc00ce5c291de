import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{i as a,j as b,k as c,l as d,m as e,n as f,o as g,p as h,q as i,r as j,s as k}from"./chunk-64ABEVGZ.mjs";import"./chunk-535QJBZV.mjs";import"./chunk-DHTFJ6W7.mjs";import"./chunk-KVGVZMYJ.mjs";export{e as FactStore,d as KEPT_AST_BUDGET,c as MAX_FIX_PASSES,a as PARALLEL_MIN_FILES,i as ScanShard,h as emptyResult,g as emptyStats,f as formatMessage,k as scan,j as scanHere,b as threadsFor};
