/** Alerts as data: rules with named conditions (sql/alerts/), their evaluation, and what operators do with alerts. */
export { ALERTS_DIR, conditionQuery, hasCondition, type Condition, type Firing } from './conditions.ts';
export { evaluateAlerts, loadRules, EVALUATOR_ACTOR, type AlertRule, type EvaluateOptions, type EvaluateResult, type RuleOutcome } from './evaluate.ts';
export { acknowledgeAlert, alertRunbook, getAlert, listAlerts, nextCommand, parseRuleSetting, resolveAlert, setRule, type AlertRow, type RuleField } from './store.ts';
export { checkAlerts, type AlertsCheck } from './check.ts';
