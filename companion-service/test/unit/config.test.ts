import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';
import { ENV_OVERRIDES } from '../../src/config/env';
import { repoRoot } from '../../src/paths';

describe('configuration', () => {
  it('has embedded defaults that start without any environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.port).toBe(8080);
    expect(config.devSignIn).toBe(true);
    expect(config.session).toEqual({ codeLength: 6, codeTtlSeconds: 600, resumeGraceSeconds: 20, maxParticipants: 6 });
    expect(config.store.kind).toBe('sqlite');
    // No Redis: one instance, its live state in this process.
    expect(config.redis.url).toBe('');
  });

  it('takes HOST, PORT and TANDEM_* variables over the files', () => {
    const config = loadConfig({
      env: {
        HOST: '127.0.0.1',
        PORT: '9999',
        TANDEM_CODE_LENGTH: '8',
        TANDEM_DEV_SIGN_IN: 'false',
        // With the development sign-in off, the published secrets of config/default.json are refused.
        TANDEM_AGENT_TOKEN_SECRET: 'x'.repeat(40),
        TANDEM_SITES: '[]',
        TANDEM_TURN_URLS: 'turn:a:3478, turns:b:5349',
      },
    });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(9999);
    expect(config.session.codeLength).toBe(8);
    expect(config.devSignIn).toBe(false);
    expect(config.ice.turnUrls).toEqual(['turn:a:3478', 'turns:b:5349']);
  });

  it('derives the public address from the port unless TANDEM_PUBLIC_URL sets it', () => {
    expect(loadConfig({ env: {} }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ env: { PORT: '9100' } }).publicUrl).toBe('http://localhost:9100');
    expect(loadConfig({ env: { PORT: '9100', TANDEM_PUBLIC_URL: 'https://help.example.com' } }).publicUrl).toBe(
      'https://help.example.com',
    );
    expect(() => loadConfig({ env: { TANDEM_PUBLIC_URL: 'help.example.com' } })).toThrow(/"publicUrl"/);
    expect(() => loadConfig({ env: { TANDEM_PUBLIC_URL: 'http://[' } })).toThrow(
      /"publicUrl" \(environment variable TANDEM_PUBLIC_URL\): "http:\/\/\[" is not a URL/,
    );
  });

  it('stops with a message naming the setting when a value is bad', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).toThrow(
      new ConfigError('PORT must be a whole number, got "eighty"'),
    );
    expect(() => loadConfig({ env: { PORT: '70000' } })).toThrow(
      /invalid setting "port" \(environment variable PORT\)/,
    );
    expect(() => loadConfig({ env: { TANDEM_CODE_LENGTH: '2' } })).toThrow(/"session.codeLength"/);
    expect(() => loadConfig({ env: { TANDEM_DEV_SIGN_IN: 'maybe' } })).toThrow(
      /TANDEM_DEV_SIGN_IN must be true or false/,
    );
  });

  it('reads TANDEM_TRUST_PROXY as true/false, a hop count or a list of proxy addresses, and is off by default', () => {
    expect(loadConfig({ env: {} }).trustProxy).toBe(false);
    expect(loadConfig({ env: { TANDEM_TRUST_PROXY: 'true' } }).trustProxy).toBe(true);
    expect(loadConfig({ env: { TANDEM_TRUST_PROXY: '2' } }).trustProxy).toBe(2);
    expect(loadConfig({ env: { TANDEM_TRUST_PROXY: '10.0.0.0/8, ::1,loopback' } }).trustProxy).toEqual([
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    expect(() => loadConfig({ env: { TANDEM_TRUST_PROXY: 'proxy.example.com' } })).toThrow(
      /"trustProxy" \(environment variable TANDEM_TRUST_PROXY\)/,
    );
    expect(() => loadConfig({ env: { TANDEM_TRUST_PROXY: '0' } })).toThrow(/"trustProxy"/);
  });

  it('refuses the production profile without a real agent token secret, and turns dev sign-in off there', () => {
    expect(() => loadConfig({ env: { TANDEM_CONFIG: 'production' } })).toThrow(
      /"agentTokenSecret" \(environment variable TANDEM_AGENT_TOKEN_SECRET\)/,
    );
    const config = loadConfig({ env: { TANDEM_CONFIG: 'production', TANDEM_AGENT_TOKEN_SECRET: 'x'.repeat(40) } });
    expect(config.devSignIn).toBe(false);
  });

  it('refuses unknown profiles and unknown settings', () => {
    expect(() => loadConfig({ env: { TANDEM_CONFIG: 'staging' } })).toThrow(/does not exist/);
    expect(() => loadConfig({ env: {}, overrides: { bogus: 1 } as never })).toThrow(/invalid setting/);
  });

  it('stays on SQLite unless TANDEM_DATABASE_URL names a PostgreSQL database, which then takes its schema and pool size', () => {
    expect(loadConfig({ env: {} }).store).toEqual({ kind: 'sqlite', sqlitePath: 'data/tandem.db' });
    const url = 'postgres://tandem:s3cret@db.internal:5432/tandem?sslmode=require';
    expect(loadConfig({ env: { TANDEM_DATABASE_URL: url } }).store).toEqual({ kind: 'postgres', url });
    expect(
      loadConfig({
        env: { TANDEM_DATABASE_URL: url, TANDEM_DATABASE_POOL_SIZE: '25', TANDEM_DATABASE_SCHEMA: 'tandem' },
      }).store,
    ).toEqual({
      kind: 'postgres',
      url,
      schema: 'tandem',
      poolSize: 25,
    });
    // A PostgreSQL block from the files or overrides replaces the SQLite default rather than merging into it.
    expect(loadConfig({ env: {}, overrides: { store: { kind: 'postgres', url, poolSize: 4 } } }).store).toEqual({
      kind: 'postgres',
      url,
      poolSize: 4,
    });
  });

  it('refuses store settings that do not fit together, naming them, and never repeats the database password', () => {
    const url = 'postgres://tandem:s3cret@db.internal/tandem';
    expect(() => loadConfig({ env: { TANDEM_DATABASE_POOL_SIZE: '5' } })).toThrow(
      /"store.poolSize" \(environment variable TANDEM_DATABASE_POOL_SIZE\): applies to PostgreSQL only/,
    );
    expect(() => loadConfig({ env: { TANDEM_DATABASE_URL: url, TANDEM_SQLITE_PATH: 'x.db' } })).toThrow(/both set/);
    expect(() => loadConfig({ env: { TANDEM_DATABASE_URL: url, TANDEM_DATABASE_POOL_SIZE: '0' } })).toThrow(
      /"store.poolSize"/,
    );
    expect(() => loadConfig({ env: { TANDEM_DATABASE_URL: url, TANDEM_DATABASE_SCHEMA: 'Tandem; DROP' } })).toThrow(
      /"store.schema"/,
    );
    for (const bad of ['mysql://tandem:s3cret@db/tandem', 'postgres://tandem:s3cret@[db/tandem']) {
      let message = '';
      try {
        loadConfig({ env: { TANDEM_DATABASE_URL: bad } });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/"store.url" \(environment variable TANDEM_DATABASE_URL\)/);
      expect(message).not.toContain('s3cret');
    }
  });

  it('takes Redis from TANDEM_REDIS_URL, refuses a URL that is not Redis\'s without repeating it, and names the removed "bus"', () => {
    const url = 'redis://:s3cret@cache.internal:6379/2';
    expect(loadConfig({ env: { TANDEM_REDIS_URL: url, TANDEM_REDIS_KEY_PREFIX: 'tandem-eu:' } }).redis).toEqual({
      url,
      keyPrefix: 'tandem-eu:',
      instanceTtlSeconds: 6,
    });
    let message = '';
    try {
      loadConfig({ env: { TANDEM_REDIS_URL: 'http://:s3cret@cache.internal' } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/"redis.url" \(environment variable TANDEM_REDIS_URL\)/);
    expect(message).not.toContain('s3cret');
    expect(() => loadConfig({ env: { TANDEM_REDIS_INSTANCE_TTL_SECONDS: '1' } })).toThrow(/"redis.instanceTtlSeconds"/);
    expect(() => loadConfig({ env: {}, overrides: { bus: { kind: 'memory' } } as never })).toThrow(
      /"bus" was removed: the bus between instances runs on Redis/,
    );
  });

  it('documents every environment variable in the README', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    for (const { variable } of ENV_OVERRIDES) expect(readme).toContain(`\`${variable}\``);
  });
});
