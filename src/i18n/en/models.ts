// English strings of the models area.
export const models = {} as const;
