/**
 * comlink's Node adapter. Its UMD build is CommonJS whose module.exports is the function, which
 * Node gives as the default import; TypeScript types that import as the module namespace.
 */
import adapter from 'comlink/dist/umd/node-adapter.js';

export const nodeEndpoint = adapter as unknown as typeof adapter.default;
