import { createRequire as __slicefixRequire } from 'node:module';
import { fileURLToPath as __slicefixPath } from 'node:url';
const require = __slicefixRequire(import.meta.url);
const __filename = __slicefixPath(import.meta.url);
const __dirname = __slicefixPath(new URL('.', import.meta.url));
import{a}from"./chunks/chunk-WA2KJA66.mjs";import"./chunks/chunk-J5SAOVFF.mjs";import"./chunks/chunk-KVGVZMYJ.mjs";export default a();
