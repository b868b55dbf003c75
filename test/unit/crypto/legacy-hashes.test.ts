import assert from 'node:assert/strict';
import { createHmac, scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcryptjs from 'bcryptjs';
import { Keyring } from '../../../src/crypto/keyring.ts';
import { Argon2Hasher, pepperBoxOf } from '../../../src/crypto/passwords/hasher.ts';
import { describeHash, ImportedHashes, isLegacyHash, verifyLegacyHash } from '../../../src/crypto/passwords/legacy/dispatch.ts';
import { SecretBox } from '../../../src/crypto/secret-box.ts';
import { runPython } from '../../support/python-hashes.ts';

const box = pepperBoxOf(new SecretBox(new Keyring(['k'.repeat(40)])));
const PASSWORDS = ['correct horse battery', 'pässwörd ﬁne 🔑'];
const FST_SALT = 'fst-password-salt-0123456789';
const DEVISE_PEPPER = 'a1b2'.repeat(32);

/** Each case: the hash a real library wrote for `password`, and how it is imported. */
interface Generated {
  name: string;
  password: string;
  hash: string;
  import?: { fstPasswordSalt?: string; devisePepper?: string };
}

const GENERATOR = `
import json, sys, hashlib, hmac, base64
passwords = json.load(sys.stdin)["passwords"]
out = []
from werkzeug.security import generate_password_hash
import bcrypt
from passlib.hash import pbkdf2_sha256, pbkdf2_sha512, django_pbkdf2_sha256, django_bcrypt_sha256
from passlib.hash import bcrypt as passlib_bcrypt
def fst(p):
    return base64.b64encode(hmac.new(b"${FST_SALT}", p.encode("utf-8"), hashlib.sha512).digest()).decode("ascii")
notes = []
try:
    import django
    from django.conf import settings
    settings.configure(PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    ])
    django.setup()
    from django.contrib.auth.hashers import make_password
except Exception as e:
    make_password = None
    notes.append("no Django here (%s): Django's formats come from passlib's django handlers and Django's own test vectors" % e)
try:
    from passlib.hash import argon2 as passlib_argon2
    passlib_argon2.using(type="ID").hash("probe")
except Exception as e:
    passlib_argon2 = None
    notes.append("no argon2-cffi here (%s): passlib's Argon2 comes from @node-rs/argon2 with its parameters" % e)
for p in passwords:
    if make_password:
        # Django's own hashers with their defaults (python3-django).
        out.append(dict(name="django make_password pbkdf2_sha256", password=p, hash=make_password(p, hasher="pbkdf2_sha256")))
        out.append(dict(name="django make_password bcrypt_sha256", password=p, hash=make_password(p, hasher="bcrypt_sha256")))
        try:
            out.append(dict(name="django make_password argon2", password=p, hash=make_password(p, hasher="argon2")))
        except Exception as e:
            notes.append("Django's Argon2 hasher is not usable here (%s)" % e)
    if passlib_argon2:
        out.append(dict(name="passlib argon2id (argon2-cffi)", password=p, hash=passlib_argon2.using(type="ID").hash(p)))
    out.append(dict(name="werkzeug pbkdf2:sha256", password=p, hash=generate_password_hash(p)))
    out.append(dict(name="werkzeug pbkdf2:sha512", password=p, hash=generate_password_hash(p, method="pbkdf2:sha512:100000")))
    try:
        out.append(dict(name="werkzeug scrypt", password=p, hash=generate_password_hash(p, method="scrypt")))
    except Exception as e:
        # werkzeug < 3 has no scrypt: the same computation as werkzeug 3's _hash_internal.
        notes.append("werkzeug here has no scrypt (%s): werkzeug 3's formula with hashlib.scrypt instead" % e)
        salt = "Zq9xVb3nT1pLk0Aa"
        h = hashlib.scrypt(p.encode("utf-8"), salt=salt.encode("utf-8"), n=2**15, r=8, p=1, maxmem=132 * 2**15 * 8).hex()
        out.append(dict(name="werkzeug scrypt (werkzeug 3 formula)", password=p, hash="scrypt:32768:8:1$%s$%s" % (salt, h)))
    out.append(dict(name="passlib pbkdf2-sha256", password=p, hash=pbkdf2_sha256.hash(p)))
    out.append(dict(name="passlib pbkdf2-sha512", password=p, hash=pbkdf2_sha512.hash(p)))
    out.append(dict(name="passlib bcrypt", password=p, hash=passlib_bcrypt.using(rounds=5).hash(p)))
    out.append(dict(name="bcrypt $2a$", password=p, hash=bcrypt.hashpw(p.encode(), bcrypt.gensalt(5, prefix=b"2a")).decode()))
    out.append(dict(name="flask-security-too bcrypt", password=p, hash=passlib_bcrypt.using(rounds=5).hash(fst(p)), fst=True))
    out.append(dict(name="flask-security-too pbkdf2-sha512", password=p, hash=pbkdf2_sha512.hash(fst(p)), fst=True))
    out.append(dict(name="django pbkdf2_sha256", password=p, hash=django_pbkdf2_sha256.using(rounds=100000).hash(p)))
    out.append(dict(name="django bcrypt_sha256", password=p, hash=django_bcrypt_sha256.using(rounds=5).hash(p)))
    out.append(dict(name="devise bcrypt with pepper", password=p, hash=bcrypt.hashpw((p + "${DEVISE_PEPPER}").encode(), bcrypt.gensalt(5, prefix=b"2a")).decode(), devise=True))
    out.append(dict(name="devise bcrypt", password=p, hash=bcrypt.hashpw(p.encode(), bcrypt.gensalt(5, prefix=b"2a")).decode()))
print(json.dumps(dict(cases=out, notes=notes)))
`;

/** Fixed vectors from the projects' own test suites. */
const FIXED: Generated[] = [
  // Django's tests/auth_tests/test_hashers.py, test_pbkdf2.
  {
    name: 'django test suite pbkdf2_sha256',
    password: 'lètmein',
    hash: 'pbkdf2_sha256$600000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
  },
  // passlib's test_handlers_pbkdf2.py known_correct_hashes.
  {
    name: 'passlib test suite pbkdf2-sha256',
    password: 'password',
    hash: '$pbkdf2-sha256$1212$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ',
  },
  {
    name: 'passlib test suite pbkdf2-sha512',
    password: 'password',
    hash: '$pbkdf2-sha512$1212$RHY0Fr3IDMSVO/RSZyb5ow$eNLfBK.eVozomMr.1gYa17k9B7KIK25NOEshvhrSX.esqY3s.FvWZViXz4KoLlQI.BzY/YTNJOiKc5gBYFYGww',
  },
  // The OpenBSD bcrypt test vectors (also in bcryptjs' and passlib's suites).
  { name: 'openbsd bcrypt vector', password: 'U*U', hash: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' },
];

let pythonCases: Generated[] | undefined;
function generated(): Generated[] {
  pythonCases ??= generateWithPython();
  return pythonCases;
}

function generateWithPython(): Generated[] {
  const result = runPython<{ cases: Array<Generated & { fst?: boolean; devise?: boolean }>; notes: string[] }>(GENERATOR, {
    passwords: PASSWORDS,
  });
  if ('missing' in result) {
    console.log(`SKIPPED: hashes from werkzeug, bcrypt and passlib (${result.missing})`);
    return [];
  }
  for (const note of new Set(result.value.notes)) console.log(`NOTE: ${note}`);
  return result.value.cases.map(({ fst, devise, ...c }) => ({
    ...c,
    import: fst ? { fstPasswordSalt: FST_SALT } : devise ? { devisePepper: DEVISE_PEPPER } : {},
  }));
}

/** Better Auth's hashPassword, with the library it uses (@noble/hashes scrypt), when it is installed. */
async function betterAuthCases(): Promise<Generated[]> {
  let noble: { scrypt: (p: string, s: string, o: object) => Uint8Array } | undefined;
  try {
    noble = (await import('@noble/hashes/scrypt.js')) as typeof noble;
  } catch {
    console.log('NOTE: @noble/hashes is not installed: the Better Auth hashes come from node:crypto with its documented parameters');
  }
  return PASSWORDS.map((password) => {
    const salt = '9f86d081884c7d659a2feaa0c55ad015';
    const options = { N: 16384, r: 16, p: 1, dkLen: 64, maxmem: 128 * 16384 * 16 * 2 };
    const key = noble
      ? Buffer.from(noble.scrypt(password.normalize('NFKC'), salt, options))
      : scryptSync(password.normalize('NFKC'), salt, 64, { N: 16384, r: 16, p: 1, maxmem: options.maxmem });
    return { name: 'better-auth scrypt', password, hash: `${salt}:${key.toString('hex')}` };
  });
}

/**
 * Another system's Argon2id (passlib, Django, Flask-Security-Too) made with their parameters by
 * @node-rs/argon2, on every machine; where Django and argon2-cffi are installed (.ci/run installs
 * them) the generator above adds the same formats made by those libraries themselves. The
 * password as typed, not NFKC-normalised.
 */
async function argon2Cases(): Promise<Generated[]> {
  const cases: Generated[] = [];
  for (const password of PASSWORDS) {
    const passlib = await argon2Hash(password, { algorithm: 2, memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    cases.push({ name: 'passlib argon2id', password, hash: passlib, import: {} });
    const django = await argon2Hash(password, { algorithm: 2, memoryCost: 102_400, timeCost: 2, parallelism: 8 });
    cases.push({ name: 'django argon2', password, hash: `argon2${django}`, import: {} });
    const fstInput = createHmac('sha512', FST_SALT).update(password).digest('base64');
    const fst = await argon2Hash(fstInput, { algorithm: 2, memoryCost: 65_536, timeCost: 3, parallelism: 4 });
    cases.push({ name: 'flask-security-too argon2id', password, hash: fst, import: { fstPasswordSalt: FST_SALT } });
  }
  return cases;
}

describe('legacy password hashes: verify-only, bounded, constant-time (S15, S30)', async () => {
  const cases = [...generated(), ...FIXED, ...(await betterAuthCases()), ...(await argon2Cases())];

  for (const c of cases) {
    it(`${c.name}: imported, the right password verifies, a wrong one does not (${c.password})`, async () => {
      const prepared = new ImportedHashes(c.import ?? {}, box).prepare(c.hash);
      assert.ok(prepared.ok, `${c.hash} refused: ${prepared.ok ? '' : prepared.reason}`);
      const stored = prepared.params;
      assert.equal(isLegacyHash(stored), true);
      assert.equal(await verifyLegacyHash(stored, c.password, box), true);
      assert.equal(await verifyLegacyHash(stored, `${c.password}x`, box), false);
      if (c.password.toUpperCase() !== c.password) assert.equal(await verifyLegacyHash(stored, c.password.toUpperCase(), box), false);
      assert.equal(await verifyLegacyHash(stored, '', box), false);
      assert.match(describeHash(stored), /legacy/);
    });
  }

  it('a peppered or pre-hashed import does not verify without its secret, nor with another one', async () => {
    const python = generated().filter((c) => c.import?.fstPasswordSalt || c.import?.devisePepper);
    for (const c of python) {
      assert.equal(await verifyLegacyHash(c.hash, c.password, box), false, `${c.name} verified without its secret`);
      const other = c.import?.fstPasswordSalt ? { fstPasswordSalt: 'another salt' } : { devisePepper: 'another pepper' };
      const prepared = new ImportedHashes(other, box).prepare(c.hash);
      assert.ok(prepared.ok);
      assert.equal(await verifyLegacyHash(prepared.params, c.password, box), false);
    }
  });

  it('the secrets of imported hashes are sealed, not stored in the clear', () => {
    const prepared = new ImportedHashes({ devisePepper: DEVISE_PEPPER }, box).prepare(
      '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
    );
    assert.ok(prepared.ok);
    assert.ok(!prepared.params.includes(DEVISE_PEPPER));
    assert.ok(prepared.params.length <= 1024);
  });

  it('through the hashing pool: legacy hashes verify and always ask for a rehash to Argon2id', async () => {
    const hasher = new Argon2Hasher({ concurrency: 1, queueLimit: 4, pepperBox: box });
    const vector = FIXED[0] as Generated;
    assert.equal(await hasher.verifyPassword(vector.hash, vector.password), true);
    assert.equal(await hasher.verifyPassword(vector.hash, 'letmein'), false);
    assert.equal(hasher.needsRehash(vector.hash), true);
    assert.equal(describeHash(await hasher.hashPassword('x')), 'argon2id (Latchkey)');
  });

  it('bcrypt verifies off the event loop: timers keep firing during a cost-12 verification (S14)', async () => {
    const hash = bcryptjs.hashSync('slow password', 12);
    // On the main thread bcryptjs computes in 100 ms slices: a 5 ms timer would fire about once
    // per slice. Off the event loop it fires all along.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    const verified = await verifyLegacyHash(hash, 'slow password', box);
    const tookMs = performance.now() - started;
    clearInterval(timer);
    assert.equal(verified, true);
    assert.ok(tookMs > 100, `a cost-12 bcrypt took ${tookMs} ms`);
    assert.ok(ticks >= 10, `a 5 ms timer fired only ${ticks} times in ${Math.round(tookMs)} ms`);
  });

  it('hostile parameters are refused at import and never verified', async () => {
    const salt = 'abcdefghijklmnop';
    const hostile = [
      `pbkdf2:sha256:1000000000$${salt}$${'ab'.repeat(32)}`,
      `pbkdf2:sha512:2000000$${salt}$${'ab'.repeat(64)}`,
      `scrypt:1073741824:8:1$${salt}$${'ab'.repeat(64)}`,
      `scrypt:32768:8:64$${salt}$${'ab'.repeat(64)}`,
      `scrypt:1000:8:1$${salt}$${'ab'.repeat(64)}`,
      `$pbkdf2-sha256$1000000000$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ`,
      'pbkdf2_sha256$1000000000$seasalt$OAXyhAQ/4ZDA9V5RMExt3C1OwQdUpLZ99vm1McFlLRA=',
      '$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW',
      '$argon2id$v=19$m=4194304,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo',
      '$argon2id$v=19$m=65536,t=1000,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo',
      'argon2$argon2id$v=19$m=102400,t=2,p=255$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNo',
    ];
    const imports = new ImportedHashes({}, box);
    for (const hash of hostile) {
      const prepared = imports.prepare(hash);
      assert.equal(prepared.ok, false, `${hash} was accepted`);
      const started = performance.now();
      assert.equal(await verifyLegacyHash(hash, 'password', box), false);
      assert.ok(performance.now() - started < 50, `${hash} was computed`);
    }
  });

  it('unknown formats are refused with a reason', () => {
    const imports = new ImportedHashes({}, box);
    for (const hash of ['5f4dcc3b5aa765d61d8327deb882cf99', 'sha256$salt$abc', '{SSHA}abc', 'plaintext', '', '$lk-legacy$argon2$-$x']) {
      const prepared = imports.prepare(hash);
      assert.equal(prepared.ok, false, hash);
      assert.ok(!prepared.ok && prepared.reason.length > 0);
    }
  });
});
