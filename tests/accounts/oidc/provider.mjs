// A real OpenID provider (npm oidc-provider) for the single sign-on tests.
//
//   node provider.mjs <config.json>
//
// config.json: {"port": 0, "clients": [<oidc-provider client metadata>, ...]}. Listens on
// 127.0.0.1:<port> and prints "listening <issuer>" once ready.
//
// Like GOV.UK One Login it requires a nonce, accepts a `vtr` parameter and says in the ID
// token's `vot` claim which vector of trust it met (the first one asked for). Clients may
// use private_key_jwt (their public JWKS given in "jwks") or a client secret.
//
// Accounts: the login name typed on the development sign-in page is the email address.
// It is verified unless the name starts with "unverified".
//
// GET /_test/log lists what happened: authorisation requests (nonce, vtr) and token grants
// (how the client authenticated), or token errors.
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const log = [];
const votByNonce = new Map();

// ES256, as One Login signs its ID tokens.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-provider-es256', alg: 'ES256', use: 'sig' };

function firstVector(vtr) {
  try {
    const vectors = JSON.parse(vtr);
    return Array.isArray(vectors) ? vectors[0] : undefined;
  } catch {
    return undefined;
  }
}

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({ id_token_signed_response_alg: 'ES256', ...client })),
  jwks: { keys: [signingKey] },
  claims: {
    openid: ['sub', 'vot'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name'],
  },
  // The ID token carries the scopes' claims (vot, email) as well as UserInfo.
  conformIdTokenClaims: false,
  extraParams: {
    vtr(ctx, value) {
      log.push({ event: 'authorization', nonce: ctx.oidc.params.nonce ?? null, vtr: value ?? null });
      const vot = value && firstVector(value);
      if (vot && ctx.oidc.params.nonce) votByNonce.set(ctx.oidc.params.nonce, vot);
    },
  },
  async findAccount(ctx, sub, token) {
    const vot = token?.nonce ? votByNonce.get(token.nonce) : undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: sub,
          email_verified: !sub.startsWith('unverified'),
          given_name: 'Sam',
          family_name: 'Example',
          ...(vot ? { vot } : {}),
        };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  ttl: { Session: 3600, Interaction: 3600, Grant: 3600 },
});

// One Login refuses an authorisation request without a nonce; so does this provider.
provider.use(async (ctx, next) => {
  if (ctx.path === '/auth' && ctx.method === 'GET' && !ctx.query.nonce) {
    log.push({ event: 'refused', reason: 'no nonce' });
    ctx.status = 400;
    ctx.body = { error: 'invalid_request', error_description: 'nonce is required' };
    return;
  }
  if (ctx.path === '/_test/log') {
    ctx.body = log;
    return;
  }
  await next();
});

provider.on('grant.success', (ctx) => {
  log.push({ event: 'token', client_id: ctx.oidc.client.clientId, auth_method: ctx.oidc.client.clientAuthMethod });
});
provider.on('grant.error', (ctx, error) => {
  log.push({ event: 'token_error', error: error.error, description: error.error_description });
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
