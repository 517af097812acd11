import { LightningElement, api } from 'lwc';
import getAgentConnection from '@salesforce/apex/TandemController.getAgentConnection';
import getPresence from '@salesforce/apex/TandemController.getPresence';
import startSession from '@salesforce/apex/TandemController.startSession';
import joinWithKey from '@salesforce/apex/TandemController.joinWithKey';
import hasJoinPermission from '@salesforce/customPermission/Tandem_Join';
import hasVideoPermission from '@salesforce/customPermission/Tandem_Agent_Video';
import hasRemoteControlPermission from '@salesforce/customPermission/Tandem_Remote_Control';

import { POLL_INTERVAL_MS, RECONNECT_DELAY_MS, MAX_DELAY_MS, nextDelay } from './presenceSchedule';

export { POLL_INTERVAL_MS, RECONNECT_DELAY_MS, MAX_DELAY_MS };
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
    /** Why the last Join failed (an alert the agent dismisses). */
    errorMessage;
    /** Why presence can't be followed right now; with presenceStopped, why it can't be followed at all. */
    presenceProblem;
    /** A refusal that asking again won't change (no access, a rejected API key): nothing is asked any more. */
    presenceStopped = false;
    /** Transient failures in a row; each one doubles the wait before the next check. */
    failures = 0;
    /** Set when the browser blocked the console window: the page offers a link instead. */
    blockedConsoleUrl;
    keyValue = '';
    codeLength = DEFAULT_CODE_LENGTH;

    socket;
    pollTimer;
    reconnectTimer;
    disconnected = false;
    visibilityListener;

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

    get presenceKnown() {
        return this.online !== undefined && !this.presenceStopped;
    }

    get presenceText() {
        if (this.presenceStopped) {
            return 'Online status is not available.';
        }
        if (this.online === undefined) {
            return this.presenceProblem
                ? 'Online status is not known yet.'
                : 'Checking whether the customer is online…';
        }
        return this.online ? 'Online in the portal now' : 'Not online in the portal';
    }

    get presenceDotClass() {
        return this.online ? 'presence-dot presence-dot_online' : 'presence-dot';
    }

    get updateHint() {
        if (this.live) {
            return 'Updates live.';
        }
        return this.failures > 0 ? 'Checking again shortly.' : 'Checked every 15 seconds.';
    }

    get presenceProblemClass() {
        return this.presenceStopped
            ? 'presence-problem slds-text-color_error'
            : 'presence-problem slds-text-color_weak';
    }

    get showJoin() {
        return this.online === true && !this.presenceStopped;
    }

    get keyFieldLabel() {
        return `Session key (${this.codeLength} digits)`;
    }

    get keyPattern() {
        return `[0-9]{${this.codeLength}}`;
    }

    connectedCallback() {
        this.disconnected = false;
        if (!this.canJoin) {
            return;
        }
        this.visibilityListener = () => this.handleVisibilityChange();
        document.addEventListener('visibilitychange', this.visibilityListener);
        this.connectPresence();
    }

    disconnectedCallback() {
        this.disconnected = true;
        if (this.visibilityListener) {
            document.removeEventListener('visibilitychange', this.visibilityListener);
            this.visibilityListener = undefined;
        }
        this.closeSocket();
        this.clearTimers();
    }

    /** Background checks run only while someone can see them and asking can still help. */
    get mayCheck() {
        return !this.disconnected && !this.presenceStopped && document.visibilityState !== 'hidden';
    }

    /** A hidden tab asks nothing (an open socket stays: it costs nothing); shown again, it catches up at once. */
    handleVisibilityChange() {
        if (document.visibilityState === 'hidden') {
            this.clearTimers();
        } else if (this.mayCheck && !this.socket) {
            this.clearTimers();
            this.connectPresence();
        }
    }

    async connectPresence() {
        if (!this.mayCheck) {
            return;
        }
        let connection;
        try {
            connection = await getAgentConnection({ contactId: this.recordId });
        } catch (error) {
            connection = { problem: messageOf(error), retryable: true };
        }
        if (this.disconnected) {
            return;
        }
        if (connection.problem) {
            // The poll loop counts the failures; a failed reconnect only makes sure the loop backs off.
            this.handleProblem(connection, Math.max(this.failures, 1));
            this.scheduleReconnect();
            return;
        }
        this.presenceProblem = undefined;
        this.failures = 0;
        this.codeLength = connection.codeLength || DEFAULT_CODE_LENGTH;
        this.online = connection.online === true;
        this.openSocket(connection);
    }

    /** A lasting refusal stops every background check; a transient one backs off. */
    handleProblem({ problem, retryable }, failures) {
        this.presenceProblem = problem;
        if (retryable) {
            this.failures = failures;
            this.schedulePoll();
            return;
        }
        this.presenceStopped = true;
        this.closeSocket();
        this.clearTimers();
    }

    openSocket(connection) {
        if (!connection.wsUrl || !connection.token || typeof WebSocket !== 'function') {
            this.schedulePoll();
            return;
        }
        let socket;
        try {
            socket = new WebSocket(connection.wsUrl);
        } catch {
            this.schedulePoll();
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
            this.schedulePoll();
            this.scheduleReconnect();
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
            clearTimeout(this.pollTimer);
            this.pollTimer = undefined;
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

    clearTimers() {
        clearTimeout(this.pollTimer);
        this.pollTimer = undefined;
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = undefined;
    }

    schedulePoll() {
        if (this.pollTimer || this.live || !this.mayCheck) {
            return;
        }
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.pollTimer = setTimeout(
            () => {
                this.pollTimer = undefined;
                this.poll();
            },
            nextDelay(POLL_INTERVAL_MS, this.failures)
        );
    }

    async poll() {
        if (this.live || !this.mayCheck) {
            return;
        }
        let presence;
        try {
            presence = await getPresence({ contactId: this.recordId });
        } catch (error) {
            presence = { problem: messageOf(error), retryable: true };
        }
        if (this.disconnected || this.live) {
            return;
        }
        if (presence && presence.problem) {
            this.handleProblem(presence, this.failures + 1);
            return;
        }
        this.presenceProblem = undefined;
        this.failures = 0;
        this.online = !!presence && presence.online === true;
        this.schedulePoll();
    }

    scheduleReconnect() {
        if (this.reconnectTimer || !this.mayCheck) {
            return;
        }
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        this.reconnectTimer = setTimeout(
            () => {
                this.reconnectTimer = undefined;
                if (!this.socket) {
                    this.connectPresence();
                }
            },
            nextDelay(RECONNECT_DELAY_MS, this.failures)
        );
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
