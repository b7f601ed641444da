import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,appliance,kiosk-image,provisioning,scripts}/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
