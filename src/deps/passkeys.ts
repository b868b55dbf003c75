import type { Config } from '../config/config.ts';
import type { Outbox } from '../courier/outbox.ts';
import type { TokenDigester } from '../crypto/tokens.ts';
import type { SessionService } from '../flows/login/session-service.ts';
import type { SecondStepService } from '../flows/mfa/second-step.ts';
import { WebauthnCeremonies } from '../flows/passkeys/ceremonies.ts';
import { PasskeyService } from '../flows/passkeys/service.ts';
import type { Clock } from '../kernel/clock.ts';
import type { RandomSource } from '../kernel/random.ts';
import type { Store } from '../store/store.ts';

export interface PasskeyDeps {
  /** PASSKEYS=on. */
  enabled: boolean;
  ceremonies: WebauthnCeremonies;
  service: PasskeyService;
}

/** Passkeys (WebAuthn): the relying party is PUBLIC_URL's host and origin, nothing a request says (S9). */
export function createPasskeyDeps(o: {
  config: Config;
  store: Store;
  digester: TokenDigester;
  random: RandomSource;
  clock: Clock;
  sessions: SessionService;
  secondStep: SecondStepService;
  outbox: Outbox;
}): PasskeyDeps {
  const rp = { id: o.config.publicUrl.hostname, origin: o.config.publicUrl.origin, name: o.config.brand.name };
  const ceremonies = new WebauthnCeremonies({ digester: o.digester, random: o.random, clock: o.clock, rp });
  const service = new PasskeyService({
    store: o.store,
    ceremonies,
    sessions: o.sessions,
    secondStep: o.secondStep,
    outbox: o.outbox,
    clock: o.clock,
  });
  return { enabled: o.config.account.passkeys === 'on', ceremonies, service };
}
