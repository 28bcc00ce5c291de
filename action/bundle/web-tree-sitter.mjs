import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a,b,c,d,e,f,g,h,i,j}from"./chunks/chunk-ZM3NB33P.mjs";import"./chunks/chunk-KVGVZMYJ.mjs";export{e as CaptureQuantifier,h as LANGUAGE_VERSION,g as Language,a as LookaheadIterator,i as MIN_COMPATIBLE_VERSION,d as Node,j as Parser,f as Query,b as Tree,c as TreeCursor};
