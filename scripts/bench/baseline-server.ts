// Reference for the API bench: a bare Fastify route on the same machine, so
// the appliance's figures read against what the framework itself allows here.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.BASELINE_PORT) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
