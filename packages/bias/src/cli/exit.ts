/**
 * The exit code a command's action asks for (commander actions cannot return one): the program
 * and every subcommand module share one box, which `cli.ts` reads when the action is done.
 */
export interface ExitBox { code: number }
