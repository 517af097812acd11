import { createElement } from 'lwc';
import TandemJoin from 'c/tandemJoin';
import getAgentConnection from '@salesforce/apex/TandemController.getAgentConnection';

jest.mock('@salesforce/apex/TandemController.getAgentConnection', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.getPresence', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.startSession', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.joinWithKey', () => ({ default: jest.fn() }), { virtual: true });
// An agent who may join but has neither the camera nor the remote-control permission.
jest.mock('@salesforce/customPermission/Tandem_Join', () => ({ default: true }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Agent_Video', () => ({ default: false }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Remote_Control', () => ({ default: false }), { virtual: true });

describe('c-tandem-join for an agent without camera or remote control', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('still offers joining, and says what the role leaves out', async () => {
        getAgentConnection.mockResolvedValue({ token: 't', wsUrl: '', codeLength: 6, online: true });
        const element = createElement('c-tandem-join', { is: TandemJoin });
        element.recordId = '0035g00000AbCdEAAA';
        document.body.appendChild(element);
        await new Promise((resolve) => process.nextTick(resolve));
        await Promise.resolve();
        expect(element.shadowRoot.querySelector('lightning-button[data-id="join"]')).not.toBeNull();
        expect(element.shadowRoot.querySelector('[data-id="video-privilege"]').textContent).toBe(
            'Your camera stays off in sessions: your role does not include the Tandem agent camera permission.'
        );
        expect(element.shadowRoot.querySelector('[data-id="remote-control-privilege"]').textContent).toBe(
            "Controlling the customer's page is not part of your role."
        );
        await expect(element).toBeAccessible();
    });
});
