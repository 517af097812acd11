import { createHmac } from 'node:crypto';
import { iceServersFor } from '../../src/ice/iceServers';

describe('ICE servers', () => {
  const base = {
    servers: [{ urls: 'stun:stun.example.test:3478' }],
    turnUrls: [],
    turnSecret: '',
    turnTtlSeconds: 600,
  };

  it('are the configured ones when no TURN secret is set', () => {
    expect(iceServersFor('p1', base, 0)).toEqual([{ urls: 'stun:stun.example.test:3478' }]);
  });

  it('include coturn REST credentials when a TURN secret is set', () => {
    const ice = { ...base, turnUrls: ['turn:turn.example.test:3478?transport=udp'], turnSecret: 's3cret' };
    const servers = iceServersFor('participant-1', ice, 1_000_000);
    const turn = servers[1]!;
    expect(turn.urls).toEqual(['turn:turn.example.test:3478?transport=udp']);
    expect(turn.username).toBe('1600:participant-1');
    expect(turn.credential).toBe(createHmac('sha1', 's3cret').update('1600:participant-1').digest('base64'));
  });
});
