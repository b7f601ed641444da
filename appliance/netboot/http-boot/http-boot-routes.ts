import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../../api/shared/clock.ts';
import { DomainError } from '../../../api/shared/errors.ts';
import type { ImageCatalogue } from '../../../provisioning/boot/image-catalogue.ts';
import type { BootScriptAnswer, BootScriptRequest } from '../../../provisioning/boot/station-booter.ts';
import { WindowBudget } from '../../../provisioning/boot/window-budget.ts';
import { macForIp } from '../neighbour-mac.ts';
import { sendArtifact, type ArtifactServing } from './artifact-response.ts';
import { BufferPool } from './buffer-pool.ts';
import { bootBaseUrl } from './base-url.ts';
import { type BodyPath, bodyPath } from './zero-copy.ts';

export interface HttpBootOptions {
  /** The boot policy (provisioning/boot createStationBooter): this module only speaks HTTP. */
  booter: { scriptFor(request: BootScriptRequest): Promise<BootScriptAnswer> };
  catalogue: ImageCatalogue;
  clock: Clock;
  /** netboot.httpBaseUrl; '' derives it from each request. */
  baseUrl: string;
  /** Boot script requests per source address and minute (netboot.scriptRequestsPerMinute). */
  scriptRequestsPerMinute: number;
  /** The MAC behind an address, for the artifact log lines; default: the kernel's neighbour table. */
  macOf?: (ip: string) => Promise<string | undefined>;
  /** An artifact download whose client reads nothing for this long is cut off; default 60 s. */
  stalledClientMs?: number;
  /** false: bodies through pooled buffers even when the sendfile addon is loaded (tests, comparisons). */
  zeroCopy?: boolean;
  /** The body path as loaded (zero-copy.ts bodyPath()); given by tests to play a missing addon. */
  bodies?: BodyPath;
}

/**
 * Artifact bodies go out in 1 MiB chunks, two in flight per download; up to 16
 * idle buffers (16 MiB) stay for the next downloads. Measured in the netboot bench.
 */
const BODY_BUFFER_BYTES = 1024 * 1024;
const IDLE_BODY_BUFFERS = 16;

const ScriptQuery = Type.Object(
  {
    mac: Type.String({ minLength: 1, maxLength: 32, description: 'The station MAC, any common notation (iPXE sends ${mac}).' }),
    arch: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,16}$', description: 'bios, efi64, efi32, arm64-efi… as the DHCP answer wrote it.' })),
  },
  { additionalProperties: true },
);

// One path segment each: checked here, and again by the catalogue before any path is built.
const ArtifactParams = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' }),
  version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$' }),
  file: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$' }),
});

function throttled(retryAfterMs: number): DomainError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new DomainError(
    'BOOT_THROTTLED',
    'throttled',
    { fr: `Trop de demandes de démarrage depuis cette adresse ; réessayez dans ${seconds} s.`, en: `Too many boot requests from this address; try again in ${seconds} s.` },
    { details: { retryAfterSeconds: seconds } },
  );
}

/**
 * HTTP boot: the per-station iPXE script and the image artifacts. Public by
 * necessity (firmware carries no credential); the script is rate-limited per
 * source address, and carries a nonce so it is never cached.
 */
export const httpBootRoutes: FastifyPluginAsyncTypebox<HttpBootOptions> = async (app, opts) => {
  const perAddress = new WindowBudget(opts.clock, { limit: opts.scriptRequestsPerMinute, windowMs: 60_000 });
  const hide = { hide: true, tags: ['netboot'] };
  const bodies: BodyPath = opts.zeroCopy === false ? { kind: 'buffers', reason: 'zeroCopy: false' } : (opts.bodies ?? bodyPath());
  if (bodies.kind === 'buffers' && opts.zeroCopy !== false) app.log.warn({ reason: bodies.reason }, 'http boot: no sendfile(2), artifact bodies are copied through buffers (slower, more CPU per byte)');
  const serving: ArtifactServing = { catalogue: opts.catalogue, pool: new BufferPool(BODY_BUFFER_BYTES, IDLE_BODY_BUFFERS), bodies, macOf: opts.macOf ?? ((ip) => macForIp(ip)), stalledClientMs: opts.stalledClientMs ?? 60_000 };

  app.get('/boot/ipxe', {
    config: { access: 'public' },
    schema: { ...hide, summary: 'iPXE script for the station with this MAC (public: firmware has no credentials)', querystring: ScriptQuery },
  }, async (request, reply) => {
    const verdict = perAddress.take(request.ip);
    if (!verdict.allowed) throw throttled(verdict.retryAfterMs);
    const baseUrl = bootBaseUrl({ configured: opts.baseUrl, host: request.headers.host, localAddress: request.socket.localAddress, localPort: request.socket.localPort });
    const answer = await opts.booter.scriptFor({ mac: request.query.mac, arch: request.query.arch, ip: request.ip, baseUrl });
    request.log.info({ mac: answer.log.mac, ip: request.ip, outcome: answer.outcome, boot: answer.log }, `boot script: ${answer.outcome}`);
    // The script carries a one-time nonce: no cache may keep it (RFC 9111 §5.2.2.5).
    return reply.header('cache-control', 'no-store').type('text/plain; charset=us-ascii').send(answer.script);
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/boot/images/:name/:version/:file',
    config: { access: 'public' },
    schema: { ...hide, summary: 'A file of a sealed image version, or its manifest.json (Range, ETag)', params: ArtifactParams },
    handler: async (request, reply) => sendArtifact(request, reply, serving, request.params),
  });
};
