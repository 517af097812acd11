import { createElement } from 'lwc';
import TandemJoin from 'c/tandemJoin';
import getAgentConnection from '@salesforce/apex/TandemController.getAgentConnection';
import getPresence from '@salesforce/apex/TandemController.getPresence';

jest.mock('@salesforce/apex/TandemController.getAgentConnection', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.getPresence', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.startSession', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/TandemController.joinWithKey', () => ({ default: jest.fn() }), { virtual: true });
// An agent without the Tandem Agent permission set: no Tandem custom permission at all.
jest.mock('@salesforce/customPermission/Tandem_Join', () => ({ default: false }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Agent_Video', () => ({ default: false }), { virtual: true });
jest.mock('@salesforce/customPermission/Tandem_Remote_Control', () => ({ default: false }), { virtual: true });

describe('c-tandem-join without the Tandem Agent permission set', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    function render() {
        const element = createElement('c-tandem-join', { is: TandemJoin });
        element.recordId = '0035g00000AbCdEAAA';
        document.body.appendChild(element);
        return element;
    }

    it('explains why nothing is offered and asks nothing of the service', async () => {
        const element = render();
        await Promise.resolve();
        const note = element.shadowRoot.querySelector('.no-permission');
        expect(note.textContent).toContain('Tandem is not available to you yet.');
        expect(note.textContent).toContain('Tandem Agent permission set');
        expect(element.shadowRoot.querySelector('lightning-button')).toBeNull();
        expect(element.shadowRoot.querySelector('lightning-input')).toBeNull();
        expect(getAgentConnection).not.toHaveBeenCalled();
        expect(getPresence).not.toHaveBeenCalled();
    });

    it('is accessible', async () => {
        const element = render();
        await expect(element).toBeAccessible();
    });
});
