import { Scalar, type CustomScalar } from '@nestjs/graphql';
import { Kind, type ValueNode } from 'graphql';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literal(field.value)]));
    default:
      return undefined;
  }
}

/** Any JSON value: for payloads that workflows pass to WAHA as they are. */
@Scalar('JSON')
export class JsonScalar implements CustomScalar<unknown, unknown> {
  description = 'Any JSON value.';
  parseValue(value: unknown): unknown {
    return value;
  }
  serialize(value: unknown): unknown {
    return value;
  }
  parseLiteral(node: ValueNode): unknown {
    return literal(node);
  }
}
