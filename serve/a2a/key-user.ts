/** The key of an authenticated A2A call, as the SDK's user: its owner scope is the key id. */
import type { ApiKey } from '../security/api-keys.js';

export class KeyUser {
  constructor(readonly key: ApiKey) {}
  get isAuthenticated() {
    return true;
  }
  get userName() {
    return this.key.id;
  }
}
