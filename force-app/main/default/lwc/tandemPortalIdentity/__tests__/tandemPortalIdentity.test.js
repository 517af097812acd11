import { createElement } from 'lwc';
import TandemPortalIdentity, { REFRESH_MARGIN_MS } from 'c/tandemPortalIdentity';
import getVisitorToken from '@salesforce/apex/TandemPortalController.getVisitorToken';

jest.mock('@salesforce/apex/TandemPortalController.getVisitorToken', () => ({ default: jest.fn() }), { virtual: true });

const flushPromises = () => new Promise((resolve) => process.nextTick(resolve));

describe('c-tandem-portal-identity', () => {
    let events;
    const listener = (event) => events.push(event.detail);

    beforeEach(() => {
        events = [];
        document.addEventListener('tandem-identify', listener);
    });

    afterEach(() => {
        document.removeEventListener('tandem-identify', listener);
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        delete window.Tandem;
        jest.clearAllMocks();
        jest.useRealTimers();
    });

    function render() {
        const element = createElement('c-tandem-portal-identity', { is: TandemPortalIdentity });
        document.body.appendChild(element);
        return element;
    }

    it('hands the token to the widget when it is on the page', async () => {
        window.Tandem = { identify: jest.fn() };
        getVisitorToken.mockResolvedValue({ token: 'visitor-token', expiresAt: Date.now() + 3600000 });
        render();
        await flushPromises();
        expect(window.Tandem.identify).toHaveBeenCalledWith('visitor-token');
        expect(events).toEqual([]);
    });

    it('sends the token as a tandem-identify event for the head-markup snippet otherwise', async () => {
        getVisitorToken.mockResolvedValue({ token: 'visitor-token', expiresAt: Date.now() + 3600000 });
        render();
        await flushPromises();
        expect(events).toEqual([{ token: 'visitor-token' }]);
    });

    it('does nothing for guests and internal users, or when the service fails', async () => {
        window.Tandem = { identify: jest.fn() };
        getVisitorToken.mockResolvedValue(null);
        render();
        await flushPromises();
        getVisitorToken.mockRejectedValue({ body: { message: 'The Tandem service did not answer in time.' } });
        render();
        await flushPromises();
        expect(window.Tandem.identify).not.toHaveBeenCalled();
        expect(events).toEqual([]);
    });

    it('fetches a fresh token before the current one expires', async () => {
        jest.useFakeTimers({ doNotFake: ['nextTick'] });
        window.Tandem = { identify: jest.fn() };
        getVisitorToken.mockResolvedValueOnce({ token: 'first', expiresAt: Date.now() + 3600000 });
        getVisitorToken.mockResolvedValueOnce({ token: 'second', expiresAt: Date.now() + 7200000 });
        render();
        await flushPromises();
        jest.advanceTimersByTime(3600000 - REFRESH_MARGIN_MS);
        await flushPromises();
        expect(window.Tandem.identify.mock.calls).toEqual([['first'], ['second']]);
    });

    it('renders nothing, and is accessible', async () => {
        getVisitorToken.mockResolvedValue(null);
        const element = render();
        expect(element.shadowRoot.childNodes.length).toBe(0);
        await expect(element).toBeAccessible();
    });
});
