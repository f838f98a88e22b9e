import { AgtestError } from '../../common/index.js';

const PLACEHOLDER = /\$\{ready\.([A-Za-z0-9_]+)\}/g;

/**
 * Fills `${ready.<field>}` from the agent's ready line. Each argument is substituted on its own,
 * so a value can never become more than one argument (there is no shell to split it).
 */
export function fillTemplate(value: string, ready: Record<string, unknown> | undefined, where: string): string {
  return value.replace(PLACEHOLDER, (_match, field: string) => {
    const filled = ready?.[field];
    if (typeof filled !== 'string' && typeof filled !== 'number') {
      throw new AgtestError(
        'AGTEST_CONFIG_INVALID',
        ready
          ? `${where} uses \${ready.${field}} but the agent's ready line has no string field ${field}`
          : `${where} uses \${ready.${field}} but agent.command is not set, so there is no ready line`,
      );
    }
    return String(filled);
  });
}

export function fillCommand(command: readonly string[], ready: Record<string, unknown> | undefined, where: string): string[] {
  return command.map((argument, index) => fillTemplate(argument, ready, `${where}[${index}]`));
}
