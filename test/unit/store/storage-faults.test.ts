import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STORAGE_FAULT_MEMORY_MS, StorageFaults } from '../../../src/store/storage-faults.ts';

const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('StorageFaults (what /readyz knows of refused writes)', () => {
  it('notes storage faults only, and forgets them after a write or after the memory span', () => {
    let now = 0;
    const faults = new StorageFaults(() => now);
    assert.equal(faults.note(new Error('connection refused')), undefined);
    assert.equal(faults.note(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })), undefined);
    assert.equal(faults.recent(), undefined);

    assert.equal(faults.note(full()), 'SQLITE_FULL');
    now = STORAGE_FAULT_MEMORY_MS - 1;
    assert.equal(faults.recent(), 'SQLITE_FULL');
    faults.clear();
    assert.equal(faults.recent(), undefined, 'a write succeeded');

    faults.note(Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' }));
    now += STORAGE_FAULT_MEMORY_MS - 1;
    assert.equal(faults.recent(), 'SQLITE_READONLY');
    now += 1;
    assert.equal(faults.recent(), undefined, 'nothing refused for the whole span');
  });
});
