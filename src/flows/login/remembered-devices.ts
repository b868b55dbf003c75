import type { Store } from '../../store/store.ts';

/**
 * Browsers the user chose to remember ("remember this device", S27), implemented by
 * `SecondFactors` (flows/mfa/factors.ts) over the remembered_devices table. Undoing an email
 * change ("it was not me") forgets every one of them, in its transaction, so that no browser the
 * intruder used stays trusted; every other "end all sessions" does too (deps/mfa.ts).
 */
export interface RememberedDevices {
  forgetAll(tx: Store, userId: string): Promise<void>;
}
