/** Agents and their numbers: provisioning, lifecycle, and the unknown-number queue. */
export {
  addAgent, activateAgent, suspendAgent, retireAgent, getAgent, listAgents, pendingId,
  AgentError, AGENT_STATUSES, type Agent, type AgentActor, type AgentStatus, type NewAgent,
} from './agents.ts';
export { listUnknownNumbers, dismissUnknownNumber, eventsWaitingFor, replayWaitingFor, WAITING_FOR_AGENT, type UnknownNumber } from './unknown.ts';
