import { LightningElement, api } from 'lwc';
import getAgentConnection from '@salesforce/apex/TandemController.getAgentConnection';
import getPresence from '@salesforce/apex/TandemController.getPresence';
import startSession from '@salesforce/apex/TandemController.startSession';
import joinWithKey from '@salesforce/apex/TandemController.joinWithKey';
import hasJoinPermission from '@salesforce/customPermission/Tandem_Join';
import hasVideoPermission from '@salesforce/customPermission/Tandem_Agent_Video';
import hasRemoteControlPermission from '@salesforce/customPermission/Tandem_Remote_Control';

/** How often presence is asked for through Apex when the live socket is not available. */
export const POLL_INTERVAL_MS = 15000;
/** How long to wait before trying the live socket again after it closed. */
export const RECONNECT_DELAY_MS = 30000;
/** The console opens in one named window, so a second Join reuses it instead of piling up windows. */
const CONSOLE_WINDOW = 'tandem-console';
const DEFAULT_CODE_LENGTH = 6;

function messageOf(error) {
    if (error && error.body && typeof error.body.message === 'string') {
        return error.body.message;
    }
    if (error && typeof error.message === 'string') {
        return error.message;
    }
    return 'Something went wrong. Try again.';
}

export default class TandemJoin extends LightningElement {
    @api recordId;

    /** Whether the contact is online; undefined until the first answer. */
    online;
    /** Presence arrives over the socket (true) or by polling (false). */
    live = false;
    busy = false;
    errorMessage;
    /** Set when the browser blocked the console window: the page offers a link instead. */
    blockedConsoleUrl;
    keyValue = '';
    codeLength = DEFAULT_CODE_LENGTH;

    socket;
    pollTimer;
    reconnectTimer;
    disconnected = false;

    // --- permissions -------------------------------------------------------------------------------------------

    get canJoin() {
        return !!hasJoinPermission;
    }

    get videoText() {
        return hasVideoPermission
            ? 'You can turn your camera on in the session.'
            : 'Your camera stays off in sessions: your role does not include the Tandem agent camera permission.';
    }

    get remoteControlText() {
        return hasRemoteControlPermission
            ? "You can ask to control the customer's page; they decide each time."
            : "Controlling the customer's page is not part of your role.";
    }

    // --- presence ----------------------------------------------------------------------------------------------

    get checking() {
        return this.online === undefined;
    }

    get presenceText() {
        return this.online ? 'Online in the portal now' : 'Not online in the portal';
    }

    get presenceDotClass() {
        return this.online ? 'presence-dot presence-dot_online' : 'presence-dot';
    }

    get updateHint() {
        return this.live ? 'Updates live.' : 'Checked every 15 seconds.';
    }

    get showJoin() {
        return this.online === true;
    }

    get keyFieldLabel() {
        return `Session key (${this.codeLength} digits)`;
    }

    get keyPattern() {
        return `[0-9]{${this.codeLength}}`;
    }

    connectedCallback() {
        this.disconnected = false;
        if (this.canJoin) {
            this.connectPresence();
        }
    }

    disconnectedCallback() {
        this.disconnected = true;
        this.closeSocket();
        this.stopPolling();
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = undefined;
    }

    async connectPresence() {
        try {
            const connection = await getAgentConnection({ contactId: this.recordId });
            if (this.disconnected) {
                return;
            }
            this.codeLength = connection.codeLength || DEFAULT_CODE_LENGTH;
            this.online = connection.online === true;
            this.openSocket(connection);
        } catch (error) {
            if (this.disconnected) {
                return;
            }
            this.errorMessage = messageOf(error);
            this.startPolling();
        }
    }

    openSocket(connection) {
        if (!connection.wsUrl || !connection.token || typeof WebSocket !== 'function') {
            this.startPolling();
            return;
        }
        let socket;
        try {
            socket = new WebSocket(connection.wsUrl);
        } catch {
            this.startPolling();
            this.scheduleReconnect();
            return;
        }
        this.socket = socket;
        socket.addEventListener('open', () => {
            socket.send(JSON.stringify({ type: 'agent.watch', token: connection.token, visitorIds: [this.recordId] }));
        });
        socket.addEventListener('message', (event) => this.handleSocketMessage(event));
        socket.addEventListener('close', () => {
            if (this.socket !== socket) {
                return;
            }
            this.socket = undefined;
            this.live = false;
            if (!this.disconnected) {
                this.startPolling();
                this.scheduleReconnect();
            }
        });
    }

    handleSocketMessage(event) {
        let message;
        try {
            message = JSON.parse(event.data);
        } catch {
            return;
        }
        if (message.type === 'presence' && message.visitorId === this.recordId) {
            this.live = true;
            this.stopPolling();
            this.online = message.online === true;
        } else if (message.type === 'error' && this.socket) {
            // The token was refused or expired: poll meanwhile, and come back later with a fresh one.
            this.socket.close();
        }
    }

    closeSocket() {
        const socket = this.socket;
        this.socket = undefined;
        if (socket) {
            socket.close();
        }
    }

    startPolling() {
        if (this.pollTimer || this.disconnected) {
            return;
        }
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.pollTimer = setInterval(() => this.poll(), POLL_INTERVAL_MS);
    }

    stopPolling() {
        clearInterval(this.pollTimer);
        this.pollTimer = undefined;
    }

    async poll() {
        try {
            const online = await getPresence({ contactId: this.recordId });
            if (!this.live) {
                this.online = online === true;
            }
        } catch {
            // Keep showing the last known state; the next poll tries again.
        }
    }

    scheduleReconnect() {
        if (this.reconnectTimer || this.disconnected) {
            return;
        }
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.reconnectTimer = setTimeout(() => {
            this.reconnectTimer = undefined;
            this.connectPresence();
        }, RECONNECT_DELAY_MS);
    }

    // --- joining -----------------------------------------------------------------------------------------------

    handleJoin() {
        return this.openConsole(() => startSession({ contactId: this.recordId }));
    }

    handleKeyChange(event) {
        this.keyValue = event.detail.value;
        const input = event.target;
        input.setCustomValidity('');
        input.reportValidity();
    }

    handleKeyUp(event) {
        if (event.key === 'Enter') {
            this.handleJoinWithKey();
        }
    }

    async handleJoinWithKey() {
        const input = this.template.querySelector('lightning-input[data-id="session-key"]');
        const key = (this.keyValue || '').replace(/\s+/g, '');
        const problem = this.keyProblem(key);
        input.setCustomValidity(problem || '');
        input.reportValidity();
        if (problem) {
            return;
        }
        const joined = await this.openConsole(() => joinWithKey({ sessionKey: key, contactId: this.recordId }));
        if (joined) {
            this.keyValue = '';
        }
    }

    keyProblem(key) {
        if (!key) {
            return 'Enter the key the customer reads out.';
        }
        if (!/^[0-9]+$/.test(key)) {
            return 'The key has digits only.';
        }
        if (key.length !== this.codeLength) {
            return `The key has ${this.codeLength} digits.`;
        }
        return undefined;
    }

    /** Opens the console window within the click (so popup blockers allow it), then points it at the console
     * link the service returned. Returns whether the agent can now reach the console. */
    async openConsole(request) {
        if (this.busy) {
            return false;
        }
        this.errorMessage = undefined;
        this.blockedConsoleUrl = undefined;
        const consoleWindow = window.open('', CONSOLE_WINDOW);
        this.busy = true;
        try {
            const result = await request();
            if (consoleWindow) {
                consoleWindow.opener = null;
                consoleWindow.location.replace(result.consoleUrl);
            } else {
                this.blockedConsoleUrl = result.consoleUrl;
            }
            return true;
        } catch (error) {
            if (consoleWindow) {
                consoleWindow.close();
            }
            this.errorMessage = messageOf(error);
            return false;
        } finally {
            this.busy = false;
        }
    }

    handleConsoleLinkClick() {
        // The link works once; take it away after use.
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        setTimeout(() => {
            this.blockedConsoleUrl = undefined;
        }, 0);
    }

    handleDismissError() {
        this.errorMessage = undefined;
    }
}
