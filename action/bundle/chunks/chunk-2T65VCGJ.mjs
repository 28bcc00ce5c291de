import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
var o={mode:"off",reason:"not enabled",hits:0,misses:0,uncacheable:0};function u(){return{...o}}var d=64*1024;import i from"node:fs";import e from"node:path";import{fileURLToPath as s}from"node:url";var a;function h(){return a??=c()}function c(){let t=e.dirname(s(import.meta.url));for(let n of[e.join(t,"..","package.json"),e.join(t,"..","..","package.json")])if(i.existsSync(n)){let r=JSON.parse(i.readFileSync(n,"utf8"));return{version:r.version,docsBaseUrl:`${(r.homepage??"").replace(/#.*$/,"")}/blob/main`}}return{version:"0.0.0",docsBaseUrl:""}}export{u as a,h as b};
