import type { Store } from '../../store/store.ts';

/**
 * Browsers the user chose to remember ("remember this device", S27). None exist yet: when the
 * second-factor work adds them, their store implements this port and the composition root passes
 * it in (`DepsOverrides.rememberedDevices`). Undoing an email change ("it was not me") forgets
 * every one of them, in its transaction, so that no browser the intruder used stays trusted.
 */
export interface RememberedDevices {
  forgetAll(tx: Store, userId: string): Promise<void>;
}

export const noRememberedDevices: RememberedDevices = { forgetAll: async () => {} };
