import type dgram from 'node:dgram';
import { realpath, stat } from 'node:fs/promises';
import { invalid } from '../../../api/shared/errors.ts';
import { FileCache } from './file-cache.ts';
import { openFile, type OpenedFile } from './file-open.ts';
import { negotiateRead } from './options.ts';
import { decodePacket } from './packet-decode.ts';
import { encodeError } from './packet-encode.ts';
import { ErrorCode, Opcode, type RequestPacket } from './packets.ts';
import { ReadTransfer, type TftpPeer, type TransferReport } from './read-transfer.ts';
import { RequestLimiter } from './request-limiter.ts';
import { READ_ONLY, Refusal, refusalFor } from './refusal.ts';
import { resolveInRoot } from './safe-path.ts';
import type { RunningTransfer } from './transfer-messages.ts';
import { TransferPool } from './transfer-pool.ts';
import { describeTransferPath, transferPath } from './peer-socket.ts';
import { openTransferSockets } from './transfer-sockets.ts';
import { bindUdp } from './udp-socket.ts';
import { resolveOptions, type ResolvedOptions, type TftpServerOptions, type TftpTransferEvent } from './server-options.ts';

export type { TftpServerOptions, TftpRequestEvent, TftpTransferEvent, TftpLogger } from './server-options.ts';
export type { TftpPeer, TransferOutcome } from './read-transfer.ts';

/** Counters for the admin page and the tests. */
export interface TftpServerStats {
  requests: number;
  malformed: number;
  ignored: number;
  rateLimited: number;
  duplicates: number;
  refused: number;
  busy: number;
  completed: number;
  failed: number;
}

/**
 * A read-only TFTP server (RFC 1350, 2347, 2348, 2349, 7440). It serves files
 * under one root and holds no boot policy: which file a machine gets is decided
 * by DHCP, and `mapPath`/`onRequest` are where the appliance plugs in.
 * Every transfer runs on its own ephemeral socket; the request socket only
 * decodes requests, so garbage there costs one decode and is dropped.
 * Transfers run in worker threads (`workers`, one per core): a lock-step
 * transfer is one small datagram each way per block, and with many stations at
 * once a single event loop, not the network, was the limit.
 */
export class TftpServer {
  readonly stats: TftpServerStats = { requests: 0, malformed: 0, ignored: 0, rateLimited: 0, duplicates: 0, refused: 0, busy: 0, completed: 0, failed: 0 };
  private readonly o: ResolvedOptions;
  private readonly cache: FileCache;
  private readonly limiter: RequestLimiter;
  private readonly transfers = new Set<RunningTransfer>();
  /** The request last seen from each peer TID, to drop a retransmitted RRQ. */
  private readonly inFlight = new Map<string, { raw: Buffer; transfer: RunningTransfer | undefined }>();
  private readonly perClient = new Map<string, number>();
  /** Slots in use: requests being opened and transfers running alike. */
  private reserved = 0;
  private socket: dgram.Socket | undefined;
  private pool: TransferPool | undefined;
  private root = '';
  private symlinkTargets: string[] = [];
  private closing = false;

  constructor(options: TftpServerOptions) {
    this.o = resolveOptions(options);
    this.cache = new FileCache(this.o.cache);
    this.limiter = new RequestLimiter(this.o.requestRate, this.o.clock);
  }

  /** Checks the root, binds the request socket; resolves with the bound address. */
  async listen(): Promise<TftpPeer> {
    this.root = await realpath(this.o.root).catch(() => '');
    if (this.root === '' || !(await stat(this.root)).isDirectory()) {
      throw invalid('TFTP_ROOT_INVALID', `Dossier racine TFTP introuvable : ${this.o.root}`, `TFTP root directory not found: ${this.o.root}`);
    }
    this.symlinkTargets = await Promise.all(this.o.symlinkTargets.map((dir) => realpath(dir).catch(() => dir)));
    const socket = await bindUdp(this.o.host, this.o.port);
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (err) => this.o.logger.warn({ err: err.message }, 'tftp: request socket error'));
    this.socket = socket;
    if (this.o.workers > 0) {
      this.pool = new TransferPool(this.o.workers, this.o.logger);
      await this.pool.start();
      if (this.pool.threads === 0) this.o.logger.warn({}, "tftp: no transfer worker started; transfers run in the server's thread");
    }
    const { address, port } = socket.address();
    const path = transferPath(this.o.nativeDatagram);
    if (path.kind === 'dgram' && this.o.nativeDatagram) this.o.logger.warn({ reason: path.reason }, 'tftp: no native datagram socket, transfers use node:dgram (more CPU per block)');
    this.o.logger.info({ root: this.root, address, port, transfers: describeTransferPath(path) }, 'tftp: listening');
    return { address, port };
  }

  /** Stops listening and ends every transfer with an ERROR to its client. */
  async close(): Promise<void> {
    this.closing = true;
    for (const transfer of this.transfers) transfer.abort('Server shutting down');
    // Workers report their aborted transfers' end before they stop.
    await this.pool?.close();
    this.pool = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  get activeTransfers(): number {
    return this.transfers.size;
  }

  /** How transfer datagrams move: "datagram" (native addon) or "dgram (<why>)". */
  get transferPath(): string {
    return describeTransferPath(transferPath(this.o.nativeDatagram));
  }

  /** Transfer worker threads running (0: transfers run in the server's thread). */
  get workerThreads(): number {
    return this.pool?.threads ?? 0;
  }

  private onDatagram(msg: Buffer, peer: TftpPeer): void {
    const decoded = decodePacket(msg);
    if (!decoded.ok) {
      this.stats.malformed += 1;
      this.o.logger.debug({ peer, reason: decoded.error.kind }, 'tftp: malformed datagram dropped');
      return;
    }
    const packet = decoded.packet;
    if (packet.opcode === Opcode.WRQ) {
      this.stats.refused += 1;
      if (this.limiter.take(peer.address)) this.sendFromMain(READ_ONLY, peer);
      this.o.logger.info({ peer, file: packet.filename }, 'tftp: upload refused');
      return;
    }
    if (packet.opcode !== Opcode.RRQ) {
      this.stats.ignored += 1;
      return;
    }
    this.onReadRequest(packet, peer, msg).catch((err: unknown) => {
      this.o.logger.warn({ peer, err: String(err) }, 'tftp: request failed');
    });
  }

  private async onReadRequest(request: RequestPacket, peer: TftpPeer, raw: Buffer): Promise<void> {
    const key = `${peer.address}|${peer.port}`;
    const previous = this.inFlight.get(key);
    if (previous !== undefined && previous.raw.equals(raw) && !(previous.transfer?.answered ?? false)) {
      // A client retransmitted its RRQ before our first reply arrived: the
      // transfer already started retransmits on its own; a second one would race it.
      this.stats.duplicates += 1;
      return;
    }
    if (!this.limiter.take(peer.address)) {
      this.stats.rateLimited += 1;
      this.o.logger.debug({ peer }, 'tftp: request rate exceeded, dropped');
      return;
    }
    this.stats.requests += 1;
    const entry = { raw, transfer: undefined as RunningTransfer | undefined };
    this.inFlight.set(key, entry);
    const started = this.o.clock.now();
    try {
      const transfer = await this.serve(request, peer, started);
      entry.transfer = transfer;
    } catch (err) {
      if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      // A bug in a hook or an unexpected failure still gets the client an answer.
      const refusal = err instanceof Refusal ? err : new Refusal(ErrorCode.NOT_DEFINED, 'Server error', String(err));
      this.refuse(request, peer, refusal, started);
    }
  }

  /** Checks, opens and starts; throws Refusal for anything the client must be told. */
  private async serve(request: RequestPacket, peer: TftpPeer, started: number): Promise<RunningTransfer> {
    if (request.mode !== 'octet' && request.mode !== 'netascii') {
      throw new Refusal(ErrorCode.ILLEGAL_OPERATION, `Unsupported mode: ${request.mode.slice(0, 32)}`, 'mode');
    }
    const clientCount = this.perClient.get(peer.address) ?? 0;
    if (this.reserved >= this.o.maxTransfers || clientCount >= this.o.maxTransfersPerClient) {
      this.stats.busy += 1;
      throw new Refusal(ErrorCode.NOT_DEFINED, 'Server busy, retry later', 'busy');
    }
    this.reserve(peer.address, 1);
    let file: OpenedFile | undefined;
    try {
      this.notifyRequest(request, peer);
      const path = await this.lookUp(request.filename, peer);
      file = await this.open(path, request.mode);
      const transfer = await this.launch(request, peer, file, path, started);
      file = undefined;
      return transfer;
    } finally {
      file?.close();
      this.reserve(peer.address, -1);
    }
  }

  private async lookUp(requested: string, peer: TftpPeer): Promise<string> {
    const mapped = this.o.mapPath === undefined ? undefined : await this.o.mapPath(requested, peer);
    const resolved = await resolveInRoot(this.root, mapped ?? requested, this.symlinkTargets);
    if (resolved.ok) return resolved.path;
    if (resolved.reason === 'not-found') throw new Refusal(ErrorCode.FILE_NOT_FOUND, 'File not found', 'not-found');
    throw new Refusal(ErrorCode.ACCESS_VIOLATION, 'Access violation', resolved.detail);
  }

  private async open(path: string, mode: 'octet' | 'netascii'): Promise<OpenedFile> {
    const opened = await openFile(path, { mode, cache: this.cache, netasciiMaxBytes: this.o.netasciiMaxBytes });
    if (opened.ok) return opened.file;
    throw refusalFor(opened.reason, opened.detail, this.o.netasciiMaxBytes);
  }

  /** Starts the transfer in a worker, else in this thread; `file` is the transfer's once this returns. */
  private async launch(request: RequestPacket, peer: TftpPeer, file: OpenedFile, path: string, started: number): Promise<RunningTransfer> {
    // close() may have run while this request was being opened.
    const closing = (): Refusal => new Refusal(ErrorCode.NOT_DEFINED, 'Server shutting down', 'closing');
    if (this.closing) throw closing();
    const negotiated = negotiateRead(request.options, file.size, this.o);
    const onEnd = (transfer: RunningTransfer) => (report: TransferReport) =>
      this.finish(transfer, request, peer, path, { ...report, durationMs: this.o.clock.now() - started }, negotiated);
    const job = { host: this.o.host, peer, source: file.handOff(), negotiated, timeoutMs: this.o.timeoutMs, maxRetries: this.o.maxRetries, nativeDatagram: this.o.nativeDatagram, answerSpinMicros: this.o.answerSpinMicros };
    const pooled = this.pool?.run(job, {
      onEnd: (report) => onEnd(pooled!)(report),
      onBindFailed: (detail) => {
        this.release(pooled!, peer);
        this.refuse(request, peer, new Refusal(ErrorCode.NOT_DEFINED, 'Server error', detail), started);
      },
    });
    if (pooled !== undefined) return this.track(pooled, peer);
    const sockets = await openTransferSockets(this.o.host, peer, transferPath(this.o.nativeDatagram)).catch((err: unknown) => {
      throw new Refusal(ErrorCode.NOT_DEFINED, 'Server error', `bind: ${String(err)}`);
    });
    if (this.closing) {
      sockets.peer.close();
      sockets.strangers.close();
      throw closing();
    }
    const params = { sockets, peer, source: file.createSource(negotiated.blockSize), negotiated, timeoutMs: this.o.timeoutMs, maxRetries: this.o.maxRetries };
    const transfer: ReadTransfer = new ReadTransfer({ ...params, now: () => this.o.clock.now(), onEnd: (report) => onEnd(transfer)(report) });
    this.track(transfer, peer);
    transfer.start();
    return transfer;
  }

  private track(transfer: RunningTransfer, peer: TftpPeer): RunningTransfer {
    this.transfers.add(transfer);
    this.reserve(peer.address, 1);
    return transfer;
  }

  private release(transfer: RunningTransfer, peer: TftpPeer): void {
    this.transfers.delete(transfer);
    this.reserve(peer.address, -1);
    const key = `${peer.address}|${peer.port}`;
    if (this.inFlight.get(key)?.transfer === transfer) this.inFlight.delete(key);
  }

  private finish(transfer: RunningTransfer, request: RequestPacket, peer: TftpPeer, path: string, report: TransferReport, sizes: { blockSize: number; windowSize: number }): void {
    this.release(transfer, peer);
    const ok = report.outcome === 'complete' || report.outcome === 'complete-unconfirmed';
    if (ok) this.stats.completed += 1;
    else this.stats.failed += 1;
    const event: TftpTransferEvent = { ...eventBase(request, peer), path, ...report, blockSize: sizes.blockSize, windowSize: sizes.windowSize };
    this.o.logger.info({ peer, file: request.filename, outcome: report.outcome, bytes: report.bytesSent, ms: report.durationMs, detail: report.detail }, 'tftp: transfer ended');
    this.notifyEnd(event);
  }

  private refuse(request: RequestPacket, peer: TftpPeer, refusal: Refusal, started: number): void {
    this.stats.refused += 1;
    this.sendFromMain(encodeError(refusal.code, refusal.wire), peer);
    this.o.logger.info({ peer, file: request.filename, code: refusal.code, detail: refusal.detail }, 'tftp: request refused');
    const event: TftpTransferEvent = {
      ...eventBase(request, peer),
      path: undefined,
      outcome: 'refused',
      errorCode: refusal.code,
      detail: refusal.detail,
      bytesSent: 0,
      retransmits: 0,
      durationMs: this.o.clock.now() - started,
    };
    this.notifyEnd(event);
  }

  private notifyRequest(request: RequestPacket, peer: TftpPeer): void {
    try {
      this.o.onRequest?.(eventBase(request, peer));
    } catch (err) {
      this.o.logger.warn({ peer, err: String(err) }, 'tftp: onRequest hook failed');
    }
  }

  private notifyEnd(event: TftpTransferEvent): void {
    try {
      this.o.onTransferEnd?.(event);
    } catch (err) {
      this.o.logger.warn({ peer: event.peer, err: String(err) }, 'tftp: onTransferEnd hook failed');
    }
  }

  private reserve(address: string, delta: 1 | -1): void {
    this.reserved += delta;
    const count = (this.perClient.get(address) ?? 0) + delta;
    if (count <= 0) this.perClient.delete(address);
    else this.perClient.set(address, count);
  }

  private sendFromMain(packet: Buffer, peer: TftpPeer): void {
    try {
      this.socket?.send(packet, 0, packet.length, peer.port, peer.address);
    } catch (err) {
      this.o.logger.warn({ peer, err: String(err) }, 'tftp: send failed');
    }
  }
}

function eventBase(request: RequestPacket, peer: TftpPeer) {
  return { peer, file: request.filename, mode: request.mode, options: request.options };
}
