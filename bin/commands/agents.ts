/**
 * `ballast agents add|activate|suspend|retire|list`: provisioning agents
 * (as the owner; every change audited with the operator and the note).
 * Activation replays the events that waited for the agent's number.
 */
import { Option, type Command } from 'commander';
import {
  activateAgent, addAgent, AGENT_STATUSES, WAITING_FOR_AGENT, eventsWaitingFor, listAgents, replayWaitingFor, retireAgent, suspendAgent,
  type Agent, type AgentStatus,
} from '../../lib/agents/index.ts';
import type { Db } from '../../lib/db/index.ts';
import { withSession } from './context.ts';
import { printReplayResult, progressBar } from './inbox.ts';

const show = (a: Agent) => `${a.agent_id} ${a.status} ${a.phone_number} (user ${a.user_id}, org ${a.org_id}${a.nickname ? `, "${a.nickname}"` : ''})`;

async function afterActivation(db: Db, a: Agent, actor: string, replay: boolean): Promise<void> {
  const waiting = await eventsWaitingFor(db, a.phone_number);
  if (waiting.length === 0) return;
  if (!replay) {
    console.log(`${waiting.length} quarantined event(s) wait for ${a.phone_number}; replay them with ` +
      `\`ballast inbox replay --status quarantined --reason ${WAITING_FOR_AGENT.join(',')} --number ${a.phone_number} --note <why>\``);
    return;
  }
  const bar = progressBar('replay', waiting.length);
  const r = await replayWaitingFor(db, a.phone_number, { actor, note: `agent ${a.agent_id} activated for ${a.phone_number}` },
    (done) => bar?.update(done));
  bar?.stop();
  printReplayResult(r);
}

export async function agentsAdd(opts: { user: string; number: string; org?: string; nickname?: string; provider?: string;
  providerNumberId?: string; deployRequestId?: string; id?: string; note: string; replay: boolean }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const a = await addAgent(db, {
      userId: opts.user, phoneNumber: opts.number, orgId: opts.org, nickname: opts.nickname, provider: opts.provider,
      providerNumberId: opts.providerNumberId, deployRequestId: opts.deployRequestId, agentId: opts.id,
    }, { actor: config.cliActor, note: opts.note });
    console.log(`added ${show(a)}`);
    if (a.status === 'pending') console.log(`activate it with its real id: ballast agents activate ${a.agent_id} --id <agent id>`);
    else await afterActivation(db, a, config.cliActor, opts.replay);
  });
}

export async function agentsActivate(agentId: string, opts: { id?: string; providerNumberId?: string; note: string; replay: boolean }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const a = await activateAgent(db, agentId, { actor: config.cliActor, note: opts.note },
      { realId: opts.id, providerNumberId: opts.providerNumberId });
    console.log(`activated ${show(a)}`);
    await afterActivation(db, a, config.cliActor, opts.replay);
  });
}

export async function agentsSuspend(agentId: string, opts: { note: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const a = await suspendAgent(db, agentId, { actor: config.cliActor, note: opts.note });
    console.log(`suspended ${show(a)}; its new events are kept, quarantined as agent_suspended, until it is activated again`);
  });
}

export async function agentsRetire(agentId: string, opts: { note: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const before = await retireAgent(db, agentId, { actor: config.cliActor, note: opts.note });
    console.log(before.agent_id.startsWith('pending-')
      ? `cancelled pending agent ${before.agent_id} (deleted; the audit ledger keeps it)`
      : `retired ${show(before)}; ${before.phone_number} is free for a new agent`);
  });
}

export async function agentsList(opts: { status?: AgentStatus; json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => {
    const rows = await listAgents(db, { status: opts.status });
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) console.log(`no ${opts.status ?? ''} agents`.replace('  ', ' '));
    else {
      console.table(rows.map((a) => ({
        agent_id: a.agent_id, status: a.status, phone_number: a.phone_number, user_id: a.user_id, org_id: a.org_id,
        nickname: a.nickname, provider: a.provider, updated_at: new Date(a.updated_at).toISOString(),
      })));
    }
  });
}

/** Adds the `agents` command group. */
export function registerAgentCommands(program: Command): void {
  const agents = program.command('agents')
    .description('agents and their numbers: add (pending-<user>), activate, suspend, retire, list; changes are audited');
  agents.command('add')
    .description('add an agent for a number: pending-<user> until activated, or active at once with --id')
    .requiredOption('--user <id>', 'the user the agent works for')
    .requiredOption('--number <e164>', 'its phone number, E.164 (+15555550100)')
    .option('--id <agent id>', 'the id the provider already assigned: the agent starts active')
    .option('--org <org>', 'organization (default: default)')
    .option('--nickname <name>', 'a name people use')
    .option('--provider <name>', 'the telephony provider')
    .option('--provider-number-id <id>', "the provider's id of the number")
    .option('--deploy-request-id <id>', 'the deploy request that provisions it')
    .option('--note <text>', 'why (recorded in the audit ledger)', 'provisioning')
    .option('--no-replay', 'with --id: do not replay the events that waited for the number')
    .action(agentsAdd);
  agents.command('activate')
    .description("activate a pending agent under its real id, or a suspended one again; then replay the events that waited for its number")
    .argument('<agent id>', 'pending-<user> or a suspended agent\'s id')
    .option('--id <agent id>', 'for a pending agent: the id the provider assigned (required)')
    .option('--provider-number-id <id>', "the provider's id of the number")
    .option('--note <text>', 'why (recorded in the audit ledger)', 'activation')
    .option('--no-replay', 'only list how many events wait; replay them later with `ballast inbox replay`')
    .action(agentsActivate);
  agents.command('suspend')
    .description('suspend an active agent: it keeps its number; its new events are kept, quarantined as agent_suspended')
    .argument('<agent id>')
    .requiredOption('--note <text>', 'why (recorded in the audit ledger)')
    .action(agentsSuspend);
  agents.command('retire')
    .description('retire an agent for good and free its number; a pending agent is cancelled (deleted, with the note as reason)')
    .argument('<agent id>')
    .requiredOption('--note <text>', 'why (recorded in the audit ledger)')
    .action(agentsRetire);
  agents.command('list')
    .description('agents, by org and id')
    .addOption(new Option('--status <status>', 'only agents in this status').choices([...AGENT_STATUSES]))
    .option('--json', 'print rows as JSON')
    .action(agentsList);
}
