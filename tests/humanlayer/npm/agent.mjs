// An ordinary agent using the HumanLayer npm SDK: one tool gated with requireApproval().
// Run with only HUMANLAYER_API_BASE and HUMANLAYER_API_KEY set; argv[2] is the run id.
// Prints `RAN ...` if the tool ran and `RESULT: ...` at the end.
import { humanlayer } from 'humanlayer'

const hl = humanlayer({ runId: process.argv[2] })

const issueRefund = hl.requireApproval()(async function issue_refund({ order, amount }) {
  console.log(`RAN issue_refund ${order} ${amount}`)
  return `refunded ${amount} on ${order}`
})

try {
  console.log(`RESULT: ${await issueRefund({ order: 'A-7', amount: 15 })}`)
} catch (e) {
  console.log(`ERROR: ${e}`)
  process.exitCode = 1
}
