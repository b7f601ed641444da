// The appliance's only entry point: reads the environment and signals, prints
// what a person must see, and hands validated config to startAppliance.
import { ConfigError, loadConfig } from './config/load-config.ts';
import { MigrationError } from '../api/db/migrator.ts';
import { startAppliance } from './start-appliance.ts';

function printFirstAdmin(admin: { username: string; password: string }): void {
  const lines = [
    'Premier démarrage : compte administrateur créé / First start: admin account created',
    `  identifiant / username : ${admin.username}`,
    `  mot de passe à usage unique / one-time password : ${admin.password}`,
    'Notez-le maintenant : il ne sera plus jamais affiché. Il devra être changé à la première connexion.',
    'Write it down now: it is never shown again. It must be changed at first login.',
  ];
  const width = Math.max(...lines.map((l) => l.length));
  console.log(`\n+${'-'.repeat(width + 2)}+\n${lines.map((l) => `| ${l.padEnd(width)} |`).join('\n')}\n+${'-'.repeat(width + 2)}+\n`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }

  const logger = { level: config.log.level };
  let running;
  try {
    running = await startAppliance(config, { logger });
  } catch (error) {
    const reason = error instanceof MigrationError ? error.message : `start failed: ${(error as Error).message}`;
    console.error(`epnbox: ${reason}`);
    process.exit(1);
  }
  if (running.firstAdmin) printFirstAdmin(running.firstAdmin);
  console.log(`epnbox: panel and API on ${running.url} (netboot ${config.netboot.enabled ? 'on' : 'off'})`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    running.app.log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('epnbox: error while shutting down', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
