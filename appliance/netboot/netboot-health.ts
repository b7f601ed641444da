import type { NetbootStatus } from './netboot-service.ts';

/** What /api/health says about netboot: what actually happened, not what the configuration asks. */
export type NetbootHealthView =
  | { state: 'off' }
  /** Enabled; the panel listens and DHCP/TFTP are not up yet (they start after it, on the port bound). */
  | { state: 'starting' }
  | { state: 'started'; dhcp: NetbootStatus['dhcp']; tftp: string; httpBootUrl: string }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

/** The netboot state as the appliance lived it; startAppliance moves it, the health route reads it. */
export class NetbootHealth {
  private current: NetbootHealthView;

  constructor(enabled: boolean) {
    this.current = enabled ? { state: 'starting' } : { state: 'off' };
  }

  get view(): NetbootHealthView {
    return this.current;
  }

  started(status: NetbootStatus): void {
    this.current = { state: 'started', dhcp: status.dhcp, tftp: `${status.tftp.address}:${status.tftp.port}`, httpBootUrl: status.httpBaseUrl };
  }

  failed(error: unknown): void {
    this.current = { state: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }

  stopped(): void {
    if (this.current.state !== 'off') this.current = { state: 'stopped' };
  }
}
