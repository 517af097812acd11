import { createElement } from 'lwc';
import TandemJoin, { POLL_INTERVAL_MS, RECONNECT_DELAY_MS, MAX_DELAY_MS } from 'c/tandemJoin';
import { nextDelay } from '../presenceSchedule';
import getAgentConnection from '@salesforce/apex/TandemController.getAgentConnection';
import getPresence from '@salesforce/apex/TandemController.getPresence';
import startSession from '@salesforce/apex/TandemController.startSession';
import joinWithKey from '@salesforce/apex/TandemController.joinWithKey';

jest.mock('@salesforce/apex/TandemController.getAgentConnection', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.getPresence', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.startSession', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.joinWithKey', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Join', () => ({ default: true }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Agent_Video', () => ({ default: true }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Remote_Control', () => ({ default: true }), { virtual: true });

const CONTACT_ID = '0035g00000AbCdEAAA';
const CONSOLE_URL = 'https://tandem.example.com/console#ticket=single-use-ticket-0123456789';
const CONNECTION = {
    token: 'agent-token',
    wsUrl: 'wss://tandem.example.com/ws',
    expiresAt: 1893456000000,
    codeLength: 6,
    online: false
};
const APEX_ERROR = {
    body: { message: 'The customer is no longer online. Ask them to sign in to the portal again, or join with a key.' },
    ok: false,
    status: 500
};

/** Stands in for the browser's WebSocket: the test plays the service. */
class FakeSocket {
    static instances = [];
    constructor(url) {
        this.url = url;
        this.sent = [];
        this.listeners = {};
        this.closed = false;
        FakeSocket.instances.push(this);
    }
    addEventListener(type, listener) {
        (this.listeners[type] = this.listeners[type] || []).push(listener);
    }
    send(data) {
        this.sent.push(JSON.parse(data));
    }
    close() {
        if (this.closed) return;
        this.closed = true;
        this.emit('close', {});
    }
    emit(type, event) {
        (this.listeners[type] || []).forEach((l) => l(event));
    }
    open() {
        this.emit('open', {});
    }
    receive(message) {
        this.emit('message', { data: JSON.stringify(message) });
    }
}

const TIMEOUT = 'The Tandem service did not answer in time. Try again in a moment.';
const NO_ACCESS = "You don't have access to this contact.";
const NOT_AUTHORIZED =
    "The Tandem service did not accept this org's API key. Ask your Salesforce admin to check the Tandem Companion external credential.";

let visibility = 'visible';
function setVisibility(state) {
    visibility = state;
    document.dispatchEvent(new CustomEvent('visibilitychange'));
}

const flushPromises = () => new Promise((resolve) => process.nextTick(resolve));

async function settle() {
    for (let i = 0; i < 5; i++) {
        // eslint-disable-next-line no-await-in-loop
        await flushPromises();
    }
}

function render() {
    const element = createElement('c-tandem-join', { is: TandemJoin });
    element.recordId = CONTACT_ID;
    document.body.appendChild(element);
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const text = (element, selector) => ($(element, selector) ? $(element, selector).textContent : null);

async function renderConnected(connection = CONNECTION) {
    getAgentConnection.mockResolvedValue(connection);
    const element = render();
    await settle();
    const socket = FakeSocket.instances[FakeSocket.instances.length - 1];
    return { element, socket };
}

function typeKey(element, value) {
    const input = $(element, 'lightning-input[data-id="session-key"]');
    input.setCustomValidity = jest.fn();
    input.reportValidity = jest.fn();
    input.value = value;
    input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
    return input;
}

describe('c-tandem-join', () => {
    let originalWebSocket;
    let openSpy;

    beforeEach(() => {
        originalWebSocket = global.WebSocket;
        global.WebSocket = FakeSocket;
        FakeSocket.instances = [];
        openSpy = jest.spyOn(window, 'open');
        // Delays at their nominal length: the jitter has its own test.
        jest.spyOn(Math, 'random').mockReturnValue(0.5);
        visibility = 'visible';
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        global.WebSocket = originalWebSocket;
        openSpy.mockRestore();
        jest.restoreAllMocks();
        jest.clearAllMocks();
        jest.useRealTimers();
    });

    describe('presence', () => {
        it('says it is checking until the first answer arrives', () => {
            getAgentConnection.mockReturnValue(new Promise(() => {}));
            const element = render();
            expect(text(element, '.presence-text')).toBe('Checking whether the customer is online…');
            expect($(element, 'lightning-button[data-id="join"]')).toBeNull();
        });

        it('shows an offline contact without the Join button', async () => {
            const { element } = await renderConnected();
            expect(getAgentConnection).toHaveBeenCalledWith({ contactId: CONTACT_ID });
            expect(text(element, '.presence-text')).toBe('Not online in the portal');
            expect($(element, '.presence-dot_online')).toBeNull();
            expect($(element, 'lightning-button[data-id="join"]')).toBeNull();
            // Join with key is always there.
            expect($(element, 'lightning-button[data-id="join-with-key"]').label).toBe('Join with key');
        });

        it('follows presence live over the socket and shows the orange Join while the contact is online', async () => {
            const { element, socket } = await renderConnected();
            expect(socket.url).toBe(CONNECTION.wsUrl);
            socket.open();
            expect(socket.sent).toEqual([{ type: 'agent.watch', token: 'agent-token', visitorIds: [CONTACT_ID] }]);

            socket.receive({ type: 'presence', visitorId: CONTACT_ID, online: true });
            await settle();
            const join = $(element, 'lightning-button[data-id="join"]');
            expect(join).not.toBeNull();
            expect(join.label).toBe('Join');
            expect(join.variant).toBe('brand');
            expect(join.classList.contains('tandem-join')).toBe(true);
            expect(text(element, '.presence-text')).toBe('Online in the portal now');
            expect(text(element, '.presence-hint')).toBe('Updates live.');
            expect($(element, '.presence-dot_online')).not.toBeNull();

            // Someone else's presence is ignored; going offline takes Join away.
            socket.receive({ type: 'presence', visitorId: '0035g00000OtherAAA', online: false });
            await settle();
            expect($(element, 'lightning-button[data-id="join"]')).not.toBeNull();
            socket.receive({ type: 'presence', visitorId: CONTACT_ID, online: false });
            await settle();
            expect($(element, 'lightning-button[data-id="join"]')).toBeNull();
        });

        it('starts online when Apex says so', async () => {
            const { element } = await renderConnected({ ...CONNECTION, online: true });
            expect($(element, 'lightning-button[data-id="join"]')).not.toBeNull();
        });

        it('falls back to polling through Apex when the socket closes, and tries the socket again later', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            const { element, socket } = await renderConnected();
            socket.open();
            socket.receive({ type: 'presence', visitorId: CONTACT_ID, online: false });
            socket.close();
            await settle();
            expect(text(element, '.presence-hint')).toBe('Checked every 15 seconds.');

            getPresence.mockResolvedValue({ online: true });
            jest.advanceTimersByTime(POLL_INTERVAL_MS);
            await settle();
            expect(getPresence).toHaveBeenCalledWith({ contactId: CONTACT_ID });
            expect($(element, 'lightning-button[data-id="join"]')).not.toBeNull();

            jest.advanceTimersByTime(RECONNECT_DELAY_MS - POLL_INTERVAL_MS);
            await settle();
            expect(getAgentConnection).toHaveBeenCalledTimes(2);
            expect(FakeSocket.instances).toHaveLength(2);
        });

        it('polls when the socket refuses the token', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            const { socket } = await renderConnected();
            socket.open();
            socket.receive({ type: 'error', code: 'token_expired', message: 'Your sign-in has expired.' });
            expect(socket.closed).toBe(true);
            getPresence.mockResolvedValue({ online: false });
            jest.advanceTimersByTime(POLL_INTERVAL_MS);
            await settle();
            expect(getPresence).toHaveBeenCalled();
        });

        it('backs off while the service cannot be reached, explains it, and returns to the normal pace after', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            getAgentConnection.mockResolvedValue({ problem: TIMEOUT, retryable: true });
            getPresence.mockResolvedValue({ problem: TIMEOUT, retryable: true });
            const element = render();
            await settle();
            expect(text(element, '.presence-text')).toBe('Online status is not known yet.');
            expect(text(element, '.presence-problem')).toBe(TIMEOUT);
            expect(FakeSocket.instances).toHaveLength(0);

            // One failure: the first poll waits twice the interval; each further failure doubles it again.
            // Time moves a second at a time, so each Apex answer arrives a moment after its request, as it would.
            const pollsAfter = async (ms) => {
                for (let left = ms; left > 0; left -= 1000) {
                    jest.advanceTimersByTime(Math.min(1000, left));
                    // eslint-disable-next-line no-await-in-loop
                    await settle();
                }
                return getPresence.mock.calls.length;
            };
            expect(await pollsAfter(2 * POLL_INTERVAL_MS - 1)).toBe(0);
            expect(await pollsAfter(1)).toBe(1);
            expect(await pollsAfter(4 * POLL_INTERVAL_MS - 1)).toBe(1);
            expect(await pollsAfter(1)).toBe(2);

            // The live socket is retried meanwhile (at 60 s and 180 s), also in vain.
            expect(await pollsAfter(6 * POLL_INTERVAL_MS)).toBe(2);
            expect(getAgentConnection).toHaveBeenCalledTimes(3);
            getPresence.mockResolvedValue({ online: true });
            expect(await pollsAfter(2 * POLL_INTERVAL_MS)).toBe(3);
            expect($(element, 'lightning-button[data-id="join"]')).not.toBeNull();
            expect($(element, '.presence-problem')).toBeNull();
            expect(await pollsAfter(POLL_INTERVAL_MS)).toBe(4);
        });

        it('treats an Apex call that fails outright as transient', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            getAgentConnection.mockRejectedValue({ body: { message: 'An internal server error has occurred.' } });
            const element = render();
            await settle();
            expect(text(element, '.presence-problem')).toBe('An internal server error has occurred.');
            getPresence.mockResolvedValue({ online: true });
            jest.advanceTimersByTime(2 * POLL_INTERVAL_MS);
            await settle();
            expect($(element, 'lightning-button[data-id="join"]')).not.toBeNull();
        });

        it('stops asking for good when the service refuses for a reason that lasts', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            getAgentConnection.mockResolvedValue({ problem: NO_ACCESS, retryable: false });
            const element = render();
            await settle();
            expect(text(element, '.presence-text')).toBe('Online status is not available.');
            expect(text(element, '.presence-problem')).toBe(NO_ACCESS);
            expect($(element, '.presence-problem').classList.contains('slds-text-color_error')).toBe(true);
            jest.advanceTimersByTime(60 * 60 * 1000);
            await settle();
            expect(getPresence).not.toHaveBeenCalled();
            expect(getAgentConnection).toHaveBeenCalledTimes(1);
            expect(FakeSocket.instances).toHaveLength(0);
            // Join with key still works: it is the agent's own action, answered on its own.
            expect($(element, 'lightning-button[data-id="join-with-key"]')).not.toBeNull();
        });

        it('stops polling when a poll is refused for good', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            const { element, socket } = await renderConnected({ ...CONNECTION, online: true });
            socket.close();
            getPresence.mockResolvedValue({ problem: NOT_AUTHORIZED, retryable: false });
            jest.advanceTimersByTime(POLL_INTERVAL_MS);
            await settle();
            expect(getPresence).toHaveBeenCalledTimes(1);
            expect($(element, 'lightning-button[data-id="join"]')).toBeNull();
            jest.advanceTimersByTime(60 * 60 * 1000);
            await settle();
            expect(getPresence).toHaveBeenCalledTimes(1);
            expect(getAgentConnection).toHaveBeenCalledTimes(1);
        });

        it('pauses while the tab is hidden and catches up as soon as it is shown', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            const { element, socket } = await renderConnected();
            setVisibility('hidden');
            socket.close();
            await settle();
            jest.advanceTimersByTime(60 * 60 * 1000);
            await settle();
            expect(getPresence).not.toHaveBeenCalled();
            expect(getAgentConnection).toHaveBeenCalledTimes(1);

            getAgentConnection.mockResolvedValue({ ...CONNECTION, online: true });
            setVisibility('visible');
            await settle();
            expect(getAgentConnection).toHaveBeenCalledTimes(2);
            expect(FakeSocket.instances).toHaveLength(2);
            expect($(element, 'lightning-button[data-id="join"]')).not.toBeNull();
        });

        it('stops polling that is under way when the tab is hidden', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            const { socket } = await renderConnected();
            socket.close();
            getPresence.mockResolvedValue({ online: false });
            jest.advanceTimersByTime(POLL_INTERVAL_MS);
            await settle();
            expect(getPresence).toHaveBeenCalledTimes(1);
            setVisibility('hidden');
            jest.advanceTimersByTime(60 * 60 * 1000);
            await settle();
            expect(getPresence).toHaveBeenCalledTimes(1);
        });

        it('closes the socket and stops polling when it leaves the page', async () => {
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            const { element, socket } = await renderConnected();
            socket.close();
            document.body.removeChild(element);
            jest.advanceTimersByTime(RECONNECT_DELAY_MS * 2);
            await settle();
            setVisibility('hidden');
            setVisibility('visible');
            await settle();
            expect(getPresence).not.toHaveBeenCalled();
            expect(getAgentConnection).toHaveBeenCalledTimes(1);
        });
    });

    describe('the wait between checks', () => {
        it('doubles with each failure up to the maximum, spread by jitter', () => {
            expect(nextDelay(POLL_INTERVAL_MS, 0, () => 0.5)).toBe(POLL_INTERVAL_MS);
            expect(nextDelay(POLL_INTERVAL_MS, 3, () => 0.5)).toBe(8 * POLL_INTERVAL_MS);
            expect(nextDelay(POLL_INTERVAL_MS, 50, () => 0.5)).toBe(MAX_DELAY_MS);
            expect(nextDelay(POLL_INTERVAL_MS, 50, () => 1)).toBe(MAX_DELAY_MS);
            expect(nextDelay(POLL_INTERVAL_MS, 0, () => 0)).toBe(0.75 * POLL_INTERVAL_MS);
            expect(nextDelay(POLL_INTERVAL_MS, 0, () => 0.999)).toBeCloseTo(1.25 * POLL_INTERVAL_MS, -2);
        });
    });

    describe('Join (1-click)', () => {
        it('opens the console window inside the click and sends it to the single-use console link', async () => {
            const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
            openSpy.mockReturnValue(consoleWindow);
            let answer;
            startSession.mockReturnValue(new Promise((resolve) => (answer = resolve)));
            const { element } = await renderConnected({ ...CONNECTION, online: true });

            $(element, 'lightning-button[data-id="join"]').click();
            expect(openSpy).toHaveBeenCalledWith('', 'tandem-console');
            await settle();
            expect(text(element, '.busy')).toBe('Opening the Tandem console…');
            expect($(element, 'lightning-button[data-id="join"]').disabled).toBe(true);
            expect(startSession).toHaveBeenCalledWith({ contactId: CONTACT_ID });

            answer({ sessionId: 's1', consoleUrl: CONSOLE_URL });
            await settle();
            expect(consoleWindow.location.replace).toHaveBeenCalledWith(CONSOLE_URL);
            expect(consoleWindow.opener).toBeNull();
            expect($(element, '.busy')).toBeNull();
            expect($(element, '.error')).toBeNull();
        });

        it('shows what went wrong and closes the empty window when the join fails', async () => {
            const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
            openSpy.mockReturnValue(consoleWindow);
            startSession.mockRejectedValue(APEX_ERROR);
            const { element } = await renderConnected({ ...CONNECTION, online: true });
            $(element, 'lightning-button[data-id="join"]').click();
            await settle();
            expect(consoleWindow.close).toHaveBeenCalled();
            expect(consoleWindow.location.replace).not.toHaveBeenCalled();
            expect($(element, '.error').getAttribute('role')).toBe('alert');
            expect(text(element, '.error p')).toBe(APEX_ERROR.body.message);

            $(element, 'lightning-button[data-id="dismiss-error"]').click();
            await settle();
            expect($(element, '.error')).toBeNull();
        });

        it('offers a link to the console when the browser blocks the window', async () => {
            openSpy.mockReturnValue(null);
            startSession.mockResolvedValue({ sessionId: 's1', consoleUrl: CONSOLE_URL });
            const { element } = await renderConnected({ ...CONNECTION, online: true });
            $(element, 'lightning-button[data-id="join"]').click();
            await settle();
            const blocked = $(element, '.popup-blocked');
            expect(blocked.getAttribute('role')).toBe('alert');
            expect(blocked.textContent).toContain('Your browser blocked the console window.');
            const link = $(element, '.popup-blocked a');
            expect(link.getAttribute('href')).toBe(CONSOLE_URL);
            expect(link.getAttribute('rel')).toBe('noopener noreferrer');
            expect(link.textContent).toBe('Open the Tandem console');

            // The ticket works once: the link goes away after use.
            link.addEventListener('click', (e) => e.preventDefault());
            jest.useFakeTimers({ doNotFake: ['nextTick'] });
            link.click();
            jest.runOnlyPendingTimers();
            jest.useRealTimers();
            await settle();
            expect($(element, '.popup-blocked')).toBeNull();
        });
    });

    describe('Join with key', () => {
        it.each([
            ['', 'Enter the key the customer reads out.'],
            ['12ab56', 'The key has digits only.'],
            ['12345', 'The key has 6 digits.'],
            ['1234567', 'The key has 6 digits.']
        ])('refuses %p with a message on the field and does not call Apex', async (value, message) => {
            const { element } = await renderConnected();
            const input = typeKey(element, value);
            $(element, 'lightning-button[data-id="join-with-key"]').click();
            await settle();
            expect(input.setCustomValidity).toHaveBeenLastCalledWith(message);
            expect(input.reportValidity).toHaveBeenCalled();
            expect(joinWithKey).not.toHaveBeenCalled();
            expect(openSpy).not.toHaveBeenCalled();
        });

        it('takes the key length from the service', async () => {
            const { element } = await renderConnected({ ...CONNECTION, codeLength: 8 });
            expect($(element, 'lightning-input[data-id="session-key"]').label).toBe('Session key (8 digits)');
            const input = typeKey(element, '123456');
            $(element, 'lightning-button[data-id="join-with-key"]').click();
            await settle();
            expect(input.setCustomValidity).toHaveBeenLastCalledWith('The key has 8 digits.');
        });

        it('joins with a valid key (spaces allowed) and clears the field', async () => {
            const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
            openSpy.mockReturnValue(consoleWindow);
            joinWithKey.mockResolvedValue({ sessionId: 's2', consoleUrl: CONSOLE_URL });
            const { element } = await renderConnected();
            const input = typeKey(element, '123 456');
            $(element, 'lightning-button[data-id="join-with-key"]').click();
            await settle();
            expect(input.setCustomValidity).toHaveBeenLastCalledWith('');
            expect(joinWithKey).toHaveBeenCalledWith({ sessionKey: '123456', contactId: CONTACT_ID });
            expect(consoleWindow.location.replace).toHaveBeenCalledWith(CONSOLE_URL);
            expect($(element, 'lightning-input[data-id="session-key"]').value).toBe('');
        });

        it('joins when the agent presses Enter in the field', async () => {
            openSpy.mockReturnValue({ opener: {}, location: { replace: jest.fn() }, close: jest.fn() });
            joinWithKey.mockResolvedValue({ consoleUrl: CONSOLE_URL });
            const { element } = await renderConnected();
            const input = typeKey(element, '654321');
            input.dispatchEvent(new KeyboardEvent('keyup', { key: 'Enter' }));
            await settle();
            expect(joinWithKey).toHaveBeenCalledWith({ sessionKey: '654321', contactId: CONTACT_ID });
        });

        it("keeps the key and shows the service's reason when the key is refused", async () => {
            const consoleWindow = { opener: {}, location: { replace: jest.fn() }, close: jest.fn() };
            openSpy.mockReturnValue(consoleWindow);
            joinWithKey.mockRejectedValue({
                body: { message: 'No session has that key. Check the digits with the customer.' }
            });
            const { element } = await renderConnected();
            typeKey(element, '111111');
            $(element, 'lightning-button[data-id="join-with-key"]').click();
            await settle();
            expect(text(element, '.error p')).toBe('No session has that key. Check the digits with the customer.');
            expect($(element, 'lightning-input[data-id="session-key"]').value).toBe('111111');
            expect(consoleWindow.close).toHaveBeenCalled();
        });
    });

    describe('privileges', () => {
        it('tells the agent what their role allows', async () => {
            const { element } = await renderConnected();
            expect(text(element, '[data-id="video-privilege"]')).toBe('You can turn your camera on in the session.');
            expect(text(element, '[data-id="remote-control-privilege"]')).toBe(
                "You can ask to control the customer's page; they decide each time."
            );
        });
    });

    describe('accessibility', () => {
        it('is accessible while offline', async () => {
            const { element } = await renderConnected();
            await expect(element).toBeAccessible();
        });

        it('is accessible while online, with Join', async () => {
            const { element } = await renderConnected({ ...CONNECTION, online: true });
            await expect(element).toBeAccessible();
        });

        it('is accessible showing an error', async () => {
            openSpy.mockReturnValue(null);
            startSession.mockRejectedValue(APEX_ERROR);
            const { element } = await renderConnected({ ...CONNECTION, online: true });
            $(element, 'lightning-button[data-id="join"]').click();
            await settle();
            await expect(element).toBeAccessible();
        });

        it('is accessible offering the console link', async () => {
            openSpy.mockReturnValue(null);
            startSession.mockResolvedValue({ consoleUrl: CONSOLE_URL });
            const { element } = await renderConnected({ ...CONNECTION, online: true });
            $(element, 'lightning-button[data-id="join"]').click();
            await settle();
            await expect(element).toBeAccessible();
        });
    });
});
