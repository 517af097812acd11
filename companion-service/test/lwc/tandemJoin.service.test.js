/*
 * The tandemJoin component against a running Tandem service, from the component's point of view: the Apex
 * methods are stood in for by what TandemController does (POST to /api/salesforce/* with the org's API key, as
 * the Named Credential sends it), presence really arrives over the service's socket, and the console link really
 * admits the agent. The service runs in a child process (serveForLwc.ts); this file runs in jsdom.
 */
import { createElement } from 'lwc';
import TandemJoin from 'c/tandemJoin';
import getAgentConnection from '@salesforce/apex/TandemController.getAgentConnection';
import getPresence from '@salesforce/apex/TandemController.getPresence';
import startSession from '@salesforce/apex/TandemController.startSession';
import joinWithKey from '@salesforce/apex/TandemController.joinWithKey';
import { eventually } from '../helpers/eventually';

jest.mock('@salesforce/apex/TandemController.getAgentConnection', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.getPresence', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.startSession', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.joinWithKey', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Join', () => ({ default: true }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Agent_Video', () => ({ default: true }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Remote_Control', () => ({ default: false }), { virtual: true });

const { spawn } = require('child_process');
const http = require('http');
const path = require('path');

jest.setTimeout(60000);

// The same values as companion-service/test/helpers/salesforceFixtures.ts, which configures the child service.
const ORG_ID = '00D5g000000TestEAA';
const API_KEY = 'tandem-org-api-key-for-tests-0123456789';
const AGENT = { orgId: ORG_ID, userId: '0055g00000AgentAAA', userName: 'Ana Agent', privileges: ['Tandem_Agent_Video'] };

let service;
let baseUrl;
const sockets = [];

/** POST as TandemController does through the Named Credential; rejects like an AuraHandledException. */
function apex(route, body) {
    return new Promise((resolve, reject) => {
        const payload = JSON.stringify(body);
        const request = http.request(
            `${baseUrl}${route}`,
            { method: 'POST', headers: { 'content-type': 'application/json', 'x-tandem-api-key': API_KEY } },
            (response) => {
                let text = '';
                response.on('data', (chunk) => (text += chunk));
                response.on('end', () => {
                    const json = JSON.parse(text);
                    if (response.statusCode >= 200 && response.statusCode < 300) resolve(json);
                    else reject({ body: { message: json.message }, status: response.statusCode });
                });
            }
        );
        request.on('error', reject);
        request.end(payload);
    });
}

/** A browser socket (jsdom's WebSocket) that records what the service sends. */
function openSocket() {
    const socket = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws`);
    socket.received = [];
    socket.addEventListener('message', (event) => socket.received.push(JSON.parse(event.data)));
    sockets.push(socket);
    return new Promise((resolve, reject) => {
        socket.addEventListener('open', () => resolve(socket));
        socket.addEventListener('error', reject);
    });
}

/** The probe's first truthy value; the loop is the tests' one polling helper (a TypeScript file, which the LWC
 * transformer compiles too). */
const until = (probe, what, timeoutMs = 8000) => eventually(probe, Boolean, what, timeoutMs, 25);

const nextOf = (socket, type) => until(() => socket.received.find((m) => m.type === type), `a ${type} message`);

let contactCounter = 0;
const newContactId = () => `0035g${String(Date.now() % 1e6).padStart(6, '0')}${String(++contactCounter).padStart(4, '0')}AAA`;

async function portalTab(contactId) {
    const { token } = await apex('/api/salesforce/visitor-tokens', { orgId: ORG_ID, contactId });
    const tab = await openSocket();
    tab.send(JSON.stringify({ type: 'visitor.hello', visitorToken: token }));
    await nextOf(tab, 'presence.registered');
    return tab;
}

function render(contactId) {
    const element = createElement('c-tandem-join', { is: TandemJoin });
    element.recordId = contactId;
    document.body.appendChild(element);
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);

beforeAll(async () => {
    const script = path.join(__dirname, 'serveForLwc.ts');
    service = spawn(process.execPath, ['--import', 'tsx', script], { cwd: path.join(__dirname, '../../..'), stdio: ['pipe', 'pipe', 'pipe'] });
    let errors = '';
    service.stderr.on('data', (chunk) => (errors += chunk));
    baseUrl = await new Promise((resolve, reject) => {
        let out = '';
        service.stdout.on('data', (chunk) => {
            out += chunk;
            const line = out.split('\n')[0];
            if (out.includes('\n')) resolve(JSON.parse(line).baseUrl);
        });
        service.on('exit', (code) => reject(new Error(`the service exited (${code}): ${errors}`)));
    });

    // What TandemController does, through the Named Credential.
    getAgentConnection.mockImplementation(({ contactId }) => apex('/api/salesforce/agent-tokens', { ...AGENT, contactId }));
    getPresence.mockImplementation(({ contactId }) =>
        apex('/api/salesforce/presence', { orgId: ORG_ID, contactId }).then((answer) => ({ online: answer.online }))
    );
    startSession.mockImplementation(({ contactId }) => apex('/api/salesforce/invitations', { ...AGENT, contactId }));
    joinWithKey.mockImplementation(({ sessionKey, contactId }) =>
        apex('/api/salesforce/console-tickets', { ...AGENT, code: sessionKey, contactId })
    );
});

afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    for (const socket of sockets.splice(0)) socket.close();
    jest.restoreAllMocks();
});

afterAll(async () => {
    if (!service) return;
    const exited = new Promise((resolve) => service.on('exit', resolve));
    service.stdin.end();
    await exited;
});

describe('c-tandem-join with a running Tandem service', () => {
    it('shows the contact going online live, and 1-click Join prompts them and opens the console with a working ticket', async () => {
        const contactId = newContactId();
        const element = render(contactId);
        await until(() => $(element, '.presence-text') && $(element, '.presence-text').textContent === 'Not online in the portal', 'offline');
        await until(() => $(element, '.presence-hint') && $(element, '.presence-hint').textContent === 'Updates live.', 'the live socket');

        const tab = await portalTab(contactId);
        const join = await until(() => $(element, 'lightning-button[data-id="join"]'), 'the Join button');

        const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
        jest.spyOn(window, 'open').mockReturnValue(consoleWindow);
        join.click();
        await until(() => consoleWindow.location.replace.mock.calls.length > 0, 'the console link');
        const consoleUrl = consoleWindow.location.replace.mock.calls[0][0];
        expect(consoleUrl.startsWith(`${baseUrl}/console#ticket=`)).toBe(true);

        const prompt = await nextOf(tab, 'terms.prompt');
        expect(prompt.agentName).toBe('Ana Agent');

        // The console window would join with the ticket from its URL.
        const agentConsole = await openSocket();
        agentConsole.send(JSON.stringify({ type: 'agent.join', ticket: decodeURIComponent(consoleUrl.split('#ticket=')[1]) }));
        const joined = await nextOf(agentConsole, 'session.joined');
        expect(joined.self.role).toBe('agent');
        expect(joined.self.privileges).toEqual(['Tandem_Agent_Video']);

        tab.close();
        await until(() => !$(element, 'lightning-button[data-id="join"]'), 'the Join button to go away');
        expect($(element, '.presence-text').textContent).toBe('Not online in the portal');
    });

    it('joins an anonymous visitor with the key they read out', async () => {
        const visitor = await openSocket();
        visitor.send(JSON.stringify({ type: 'visitor.start' }));
        const { code } = await nextOf(visitor, 'session.created');

        const element = render(newContactId());
        await until(() => $(element, '.presence-hint'), 'presence');
        const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
        jest.spyOn(window, 'open').mockReturnValue(consoleWindow);
        const input = $(element, 'lightning-input[data-id="session-key"]');
        input.dispatchEvent(new CustomEvent('change', { detail: { value: code } }));
        $(element, 'lightning-button[data-id="join-with-key"]').click();
        await until(() => consoleWindow.location.replace.mock.calls.length > 0, 'the console link');

        const agentConsole = await openSocket();
        const ticket = consoleWindow.location.replace.mock.calls[0][0].split('#ticket=')[1];
        agentConsole.send(JSON.stringify({ type: 'agent.join', ticket: decodeURIComponent(ticket) }));
        await nextOf(agentConsole, 'session.joined');
        expect((await nextOf(visitor, 'peer.joined')).link.peer.role).toBe('agent');
    });

    it('shows the service\'s reason for a wrong key and closes the empty window', async () => {
        const element = render(newContactId());
        await until(() => $(element, '.presence-hint'), 'presence');
        const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
        jest.spyOn(window, 'open').mockReturnValue(consoleWindow);
        $(element, 'lightning-input[data-id="session-key"]').dispatchEvent(new CustomEvent('change', { detail: { value: '000000' } }));
        $(element, 'lightning-button[data-id="join-with-key"]').click();
        const error = await until(() => $(element, '.error p'), 'the error');
        expect(error.textContent).toBe('No session has that key. Check the digits with the visitor.');
        expect(consoleWindow.close).toHaveBeenCalled();
    });
});
