import { execFile } from 'node:child_process';

/** Runs a program with optional stdin; resolves with stdout, rejects with stderr. */
export type CommandRunner = (cmd: string, args: string[], input?: string) => Promise<string>;

export const execRunner: CommandRunner = (cmd, args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`)) : resolve(stdout),
    );
    // A program that exits without reading its stdin must not crash us with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });

export interface NftGuardOptions {
  /** The station interface: the only one whose DHCP/PXE datagrams reach the server. */
  interfaceName: string;
  /** undefined: [67, 4011]. */
  ports?: number[];
  /** undefined: `epnbox_dhcp`. */
  table?: string;
  /** undefined: runs `nft` (needs CAP_NET_ADMIN). */
  run?: CommandRunner;
}

const NAME = /^[A-Za-z0-9_.-]{1,15}$/;

/**
 * The box's own nftables table: drops UDP to the DHCP and PXE ports on every interface
 * but the station one, before any socket sees it. Node cannot bind a socket to a device
 * nor learn a datagram's inbound interface, so this is where "only on the station LAN"
 * is enforced (docs/netboot.md, "Interface binding").
 */
export class NftGuard {
  private readonly table: string;
  private readonly ports: number[];
  private readonly run: CommandRunner;

  constructor(private readonly options: NftGuardOptions) {
    if (!NAME.test(options.interfaceName)) throw new Error(`dhcp: "${options.interfaceName}" is not a valid interface name`);
    this.table = options.table ?? 'epnbox_dhcp';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.table)) throw new Error(`dhcp: "${this.table}" is not a valid nftables table name`);
    this.ports = options.ports ?? [67, 4011];
    this.run = options.run ?? execRunner;
  }

  /** The ruleset, replacing any previous version of the table in one transaction. */
  ruleset(): string {
    return [
      `table inet ${this.table}`,
      `delete table inet ${this.table}`,
      `table inet ${this.table} {`,
      '  chain input {',
      '    type filter hook input priority filter; policy accept;',
      `    udp dport { ${this.ports.join(', ')} } iifname != "${this.options.interfaceName}" drop`,
      '  }',
      '}',
      '',
    ].join('\n');
  }

  /** Installs the table, then reads it back; throws if it is not in force. */
  async install(): Promise<void> {
    await this.run('nft', ['-f', '-'], this.ruleset());
    await this.verify();
  }

  /** Throws unless the kernel holds the drop rule for exactly our ports and interface. */
  async verify(): Promise<void> {
    const listed = await this.run('nft', ['-j', 'list', 'table', 'inet', this.table]);
    if (!guardPresent(listed, this.options.interfaceName, this.ports)) {
      throw new Error(`dhcp: nftables table inet ${this.table} does not hold the interface guard for ${this.options.interfaceName}`);
    }
  }

  /** Best effort, on shutdown. */
  async remove(): Promise<void> {
    await this.run('nft', ['delete', 'table', 'inet', this.table]).catch(() => undefined);
  }
}

type NftExpr = Record<string, unknown>;
interface NftMatch {
  op: string;
  left: { meta?: { key: string }; payload?: { protocol: string; field: string } };
  right: unknown;
}

/** Looks in `nft -j` output for: input hook chain + rule {dport in ports, iifname != iface, drop}. */
export function guardPresent(json: string, iface: string, ports: number[]): boolean {
  let items: Array<Record<string, unknown>>;
  try {
    items = (JSON.parse(json) as { nftables: Array<Record<string, unknown>> }).nftables;
  } catch {
    return false;
  }
  const chains = items.map((i) => i.chain as { name: string; hook?: string } | undefined).filter((c) => c?.hook === 'input');
  const rules = items.map((i) => i.rule as { chain: string; expr: NftExpr[] } | undefined).filter((r) => r !== undefined);
  return rules.some((rule) => {
    if (!chains.some((c) => c?.name === rule.chain)) return false;
    const matches = rule.expr.map((e) => e.match as NftMatch | undefined).filter((m) => m !== undefined);
    const iif = matches.some((m) => m.op === '!=' && m.left.meta?.key === 'iifname' && m.right === iface);
    const dport = matches.some((m) => m.left.payload?.field === 'dport' && sameSet(m.right, ports));
    return iif && dport && rule.expr.some((e) => 'drop' in e) && rule.expr.length === 3;
  });
}

function sameSet(right: unknown, ports: number[]): boolean {
  const values = typeof right === 'number' ? [right] : ((right as { set?: unknown[] } | null)?.set ?? []);
  return values.length === ports.length && ports.every((p) => values.includes(p));
}
