// Loads the addon built by node-gyp at `npm ci` (build/ is git-ignored).
import { createRequire } from 'node:module';

export const binding = createRequire(import.meta.url)('./build/Release/datagram.node');
